/* Confirmation dialogs: a button with data-dialog="<dialog id>" opens that <dialog>, pointing its
   form at the button's data-action and filling [data-slot] elements from the button's data-* values. */
document.addEventListener("click", function (event) {
  var opener = event.target.closest("[data-dialog]");
  if (opener) {
    var dialog = document.getElementById(opener.dataset.dialog);
    if (!dialog) { return; }
    event.preventDefault();
    var form = dialog.querySelector("form");
    if (opener.dataset.action) { form.setAttribute("action", opener.dataset.action); }
    dialog.querySelectorAll("[data-slot]").forEach(function (slot) {
      var value = opener.dataset[slot.dataset.slot] || "";
      slot.textContent = value;
      slot.hidden = value === "";
    });
    var note = form.querySelector("textarea");
    if (note) { note.value = ""; }
    dialog.showModal();
    return;
  }
  var closer = event.target.closest("[data-close-dialog]");
  if (closer) {
    event.preventDefault();
    closer.closest("dialog").close();
  }
});
