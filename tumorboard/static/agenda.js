// Drag a line of the agenda to another place: it sends that line's "Move to position" form, the same one a keyboard
// or a browser without JavaScript uses.
const rows = Array.from(document.querySelectorAll("[data-agenda-drag] tr[draggable='true']"));
let dragged = null;
rows.forEach((row) => {
  row.addEventListener("dragstart", (event) => {
    dragged = row;
    event.dataTransfer.effectAllowed = "move";
  });
  row.addEventListener("dragover", (event) => {
    if (dragged && dragged !== row) {
      event.preventDefault();
      row.classList.add("tb-drop-target");
    }
  });
  row.addEventListener("dragleave", () => row.classList.remove("tb-drop-target"));
  row.addEventListener("drop", (event) => {
    event.preventDefault();
    row.classList.remove("tb-drop-target");
    if (!dragged || dragged === row) return;
    const target = row.querySelector("input[name='position']");
    const form = document.getElementById(dragged.dataset.positionForm);
    form.querySelector("input[name='position']").value = target.defaultValue;
    form.submit();
  });
});
