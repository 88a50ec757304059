/* The demand desk: the dispatch form's assignee select. */
/* Step dialogs open and close through static/js/app.js (data-open-dialog / data-close-dialog). */
/* The dispatch form shows the select of the chosen kind of assignee only. */
function dmShowKind(form) {
  var kind = form.querySelector("select[name=kind]");
  if (!kind) { return; }
  ["member", "unit", "team"].forEach(function (name) {
    var select = form.querySelector("select[name=" + name + "]");
    if (select) { select.closest(".field-row").hidden = name !== kind.value; }
  });
}
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.name === "kind") { dmShowKind(target.closest("form")); }
  /* 选派 from the suggestions: put the chosen one in its select and open the dispatch dialog. */
  if (target.hasAttribute && target.hasAttribute("data-assignee-id-field")) {
    var form = target.closest("form");
    var kind = form.querySelector("select[name=kind]").value;
    var select = form.querySelector("select[name=" + kind + "]");
    if (select) { select.value = target.value; }
    var dialog = target.closest("dialog");
    if (dialog && !dialog.open) { dialog.showModal(); }
  }
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("dialog form").forEach(dmShowKind);
});
