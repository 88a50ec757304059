/* Tree browser: a toggle loads a node's children on first open (htmx "expand") and folds them away. */
document.addEventListener("click", function (event) {
  var toggle = event.target.closest(".tree-toggle");
  if (!toggle) { return; }
  var slot = toggle.closest("li").querySelector(".tree-slot");
  if (toggle.getAttribute("aria-expanded") === "true") {
    slot.replaceChildren();
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

/* Data never becomes HTML in script: map tooltips and lists get a DOM node whose textContent is
   the data (Leaflet's bindTooltip and ECharts' formatters treat strings as HTML). */
window.dj = window.dj || {};
window.dj.textEl = function (text, tag) {
  var node = document.createElement(tag || "span");
  node.textContent = text === null || text === undefined ? "" : String(text);
  return node;
};

/* A form or button with data-confirm="…" asks before it submits (the page's policy forbids inline handlers). */
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
});
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-confirm], a[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
});

/* A select with data-autosubmit sends its form as soon as it changes (the role switch). */
document.addEventListener("change", function (event) {
  if (event.target.hasAttribute && event.target.hasAttribute("data-autosubmit")) { event.target.form.submit(); }
});

/* A button with data-fill-target="<input id>" and data-fill-value puts that value in the input. */
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-fill-target]");
  if (!button) { return; }
  var input = document.getElementById(button.dataset.fillTarget);
  if (input) { input.value = button.dataset.fillValue; }
});

/* htmx: an element with data-remove-on-success goes away once its request succeeded (a reveal button). */
document.addEventListener("htmx:afterRequest", function (event) {
  var elt = event.detail.elt;
  if (elt && elt.hasAttribute("data-remove-on-success") && event.detail.successful) { elt.remove(); }
});

/* htmx: a box with data-refresh-on-change reloads (hx-trigger="refresh") when a field inside it
   changes, except the field named in data-refresh-skip (event filters would need eval). */
document.addEventListener("change", function (event) {
  var box = event.target.closest && event.target.closest("[data-refresh-on-change]");
  if (box && event.target.name !== box.dataset.refreshSkip) { window.htmx.trigger(box, "refresh"); }
});

/* A button with data-open-dialog="<dialog id>" opens that dialog (the confirmation before a step);
   a button with data-close-dialog closes the dialog it sits in. */
document.addEventListener("click", function (event) {
  var opener = event.target.closest("[data-open-dialog]");
  if (opener) {
    var dialog = document.getElementById(opener.dataset.openDialog);
    if (dialog) { event.preventDefault(); dialog.showModal(); }
    return;
  }
  var closer = event.target.closest("[data-close-dialog]");
  if (closer) { event.preventDefault(); closer.closest("dialog").close(); }
});
