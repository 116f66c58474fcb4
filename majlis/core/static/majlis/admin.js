// Django's date shortcuts label their "Today" link in English ("Today (date)")
// when the language's JavaScript catalogue lacks that phrase (Spanish does),
// so screen readers and speech users meet a name that differs from the visible
// word (WCAG 2.5.3). Where the label does not start with the visible text, the
// visible text is kept as the name.
window.addEventListener("load", () => {
  setTimeout(() => {
    for (const link of document.querySelectorAll(".datetimeshortcuts a[aria-label]")) {
      const visible = link.textContent.trim();
      if (visible && !link.getAttribute("aria-label").startsWith(visible)) {
        link.removeAttribute("aria-label");
      }
    }
  }, 0);
});
