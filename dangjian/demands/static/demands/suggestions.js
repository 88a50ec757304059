/* Suggested assignees: "选派" fills the dispatch form's assignee fields. */
(function () {
  function field(marker, name) {
    return document.querySelector("[" + marker + "]") || document.querySelector("[name=" + name + "]");
  }
  function setValue(el, value) {
    if (!el) { return; }
    if (el.type === "radio") {
      var radio = document.querySelector("input[type=radio][name=" + el.name + "][value='" + value + "']");
      if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
      return;
    }
    el.value = value;
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }
  document.querySelectorAll("[data-testid=suggestions] [data-assignee-id]").forEach(function (button) {
    button.addEventListener("click", function () {
      setValue(field("data-assignee-kind-field", "assignee_kind"), button.dataset.assigneeKind);
      setValue(field("data-assignee-id-field", "assignee_id"), button.dataset.assigneeId);
      document.querySelectorAll("[data-testid=suggestions] .suggestion").forEach(function (li) { li.classList.remove("chosen"); });
      button.closest(".suggestion").classList.add("chosen");
    });
  });
})();
