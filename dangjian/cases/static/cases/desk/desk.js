/* The case desk: the dispatch form's receiver fields. */
/* Step dialogs open and close through static/js/app.js (data-open-dialog / data-close-dialog). */
/* The dispatch form shows the fields of the chosen kind of receiver only. */
function showKindFields(form) {
  var kind = form.querySelector("select[name=kind]");
  if (!kind) { return; }
  form.querySelectorAll("[data-kind]").forEach(function (input) {
    input.closest(".field-row").hidden = input.dataset.kind.split(" ").indexOf(kind.value) < 0;
  });
}
document.addEventListener("change", function (event) {
  if (event.target.name === "kind") { showKindFields(event.target.closest("form")); }
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("dialog form").forEach(showKindFields);
});
