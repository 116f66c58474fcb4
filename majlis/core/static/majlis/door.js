// At the door (backoffice/check_in.html), with htmx: the code field is
// emptied as soon as its value is on its way, so that the next scan (a
// scanner types the code and Enter) can follow at once, even before the
// answer; and it has the focus again once the answer is swapped in.
(() => {
  const door = document.getElementById("door");
  const field = document.getElementById("checkin-q");
  if (!door || !field) return;
  door.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.elt === field.form) field.value = "";
  });
  door.addEventListener("htmx:afterSettle", () => field.focus());
})();
