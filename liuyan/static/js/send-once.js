// A second click on a form marked data-send-once while the first is on its way does nothing
// (the server refuses a resent form anyway).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches || !form.matches("form[data-send-once]")) return;
  if (form.dataset.sending) { event.preventDefault(); return; }
  form.dataset.sending = "1";
});
