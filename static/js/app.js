/* Tree browser: a toggle loads a node's children on first open (htmx "expand") and folds them away. */
document.addEventListener("click", function (event) {
  var toggle = event.target.closest(".tree-toggle");
  if (!toggle) { return; }
  var slot = toggle.closest("li").querySelector(".tree-slot");
  if (toggle.getAttribute("aria-expanded") === "true") {
    slot.innerHTML = "";
    toggle.setAttribute("aria-expanded", "false");
    toggle.textContent = "+";
  } else {
    toggle.setAttribute("aria-expanded", "true");
    toggle.textContent = "−";
    window.htmx.trigger(toggle, "expand");
  }
});
