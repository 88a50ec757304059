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

/* Phone bottom bar: "更多" opens the menu items that do not fit the bar. */
document.addEventListener("click", function (event) {
  var more = document.getElementById("nav-more");
  if (!more) { return; }
  var toggle = event.target.closest(".nav-more-toggle");
  if (toggle) {
    var open = more.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  } else if (!event.target.closest(".nav-more-panel")) {
    more.classList.remove("open");
  }
});
