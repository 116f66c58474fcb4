// Scanning a delegate's QR code with the device's camera, where the browser
// can read barcodes (BarcodeDetector: Chrome on Android, ChromeOS, macOS).
// Elsewhere the button stays hidden and the code is typed or searched.
(() => {
  const button = document.getElementById("scan-start");
  const field = document.getElementById("checkin-q");
  const video = document.getElementById("scan-video");
  if (!button || !field || !video) return;
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  button.hidden = false;
  let stream = null;

  const stop = () => {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
    button.setAttribute("aria-pressed", "false");
  };

  button.addEventListener("click", async () => {
    if (stream) return stop();
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch {
      return;  // no camera, or permission refused: typing still works
    }
    video.srcObject = stream;
    video.hidden = false;
    button.setAttribute("aria-pressed", "true");
    video.play().catch(() => {});  // the first frames may take a moment; detection waits
    const look = async () => {
      if (!stream) return;
      const found = await detector.detect(video).catch(() => []);
      if (found.length) {
        field.value = found[0].rawValue;
        stop();
        field.form.requestSubmit();
        return;
      }
      requestAnimationFrame(look);
    };
    look();
  });
})();
