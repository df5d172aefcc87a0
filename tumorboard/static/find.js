// "/" anywhere (but in a field) goes to "Find a patient": the search is two keystrokes away.
document.addEventListener("keydown", (event) => {
  const box = document.getElementById("tb-find");
  const typing = event.target.closest("input, textarea, select, [contenteditable]");
  if (box && event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    box.focus();
  }
});
