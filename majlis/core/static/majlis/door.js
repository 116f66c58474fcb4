// At the door (backoffice/check_in.html), with htmx: the code field is
// emptied as soon as its value is on its way, so that the next scan (a
// scanner types the code and Enter) can follow at once, even before the
// answer; once the answer is swapped in, it is brought into view (on a
// phone the header would push it off the screen) and the field has the
// focus again.
(() => {
  const door = document.getElementById("door");
  const field = document.getElementById("checkin-q");
  const result = document.getElementById("door-result");
  if (!door || !field || !result) return;
  door.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.elt === field.form) field.value = "";
  });
  door.addEventListener("htmx:afterSettle", () => {
    if (result.firstElementChild) result.scrollIntoView({ block: "nearest" });
    field.focus({ preventScroll: true });
  });
})();
