// Desk form helpers, wired by data attributes (the Content-Security-Policy forbids inline
// handlers). Listeners sit on the document, so content swapped in by htmx works too.
document.addEventListener("click", function (event) {
  // The duplicate form's search results: "Use" copies a serial into the form's field.
  var button = event.target.closest ? event.target.closest("[data-use-serial]") : null;
  if (!button) return;
  var field = document.getElementById(button.dataset.target || "id_original_serial");
  if (field) {
    field.value = button.dataset.useSerial;
    field.focus();
  }
});
