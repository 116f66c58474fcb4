// After htmx swaps in a new booking area (book, cancel, switch without a page
// load), put the keyboard focus on its heading: the focused element was
// replaced, and the result is announced by the status region meanwhile.
document.addEventListener("htmx:afterSettle", (event) => {
  const area = event.detail.target;
  if (area && area.id === "booking-area") {
    const heading = document.getElementById("your-booking");
    if (heading) heading.focus();
  }
});

// A rate limit's answer (429, majlis/core/middleware.py) is a page to show,
// not an error to drop: htmx swaps its message in place of the main content.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 429) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// A refused form's summary of errors (majlis/core/templates/core/forms/form.html)
// takes the focus, so that a keyboard or screen reader starts from it.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
});
