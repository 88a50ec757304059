// 集中收缴 on a branch's dues sheet: "select all" ticks every unsettled row; the bar sums what is ticked.
// Amounts come from data-amount (text); nothing from the data is ever written as HTML.
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=collect-form]");
  if (!form) { return; }
  var all = form.querySelector("[data-collect-all]");
  var ticks = Array.prototype.slice.call(form.querySelectorAll("input[name=dues]"));
  var count = form.querySelector("[data-collect-count]");
  var total = form.querySelector("[data-collect-total]");

  function fen(text) {
    var parts = String(text).split(".");
    var yuan = parseInt(parts[0], 10) || 0;
    var cents = parseInt(((parts[1] || "") + "00").slice(0, 2), 10) || 0;
    return yuan * 100 + cents;
  }

  function refresh() {
    var n = 0;
    var sum = 0;
    ticks.forEach(function (box) {
      if (box.checked) { n += 1; sum += fen(box.dataset.amount); }
    });
    if (count) { count.textContent = String(n); }
    if (total) {
      var cents = String(sum % 100);
      total.textContent = Math.floor(sum / 100) + "." + (cents.length < 2 ? "0" + cents : cents);
    }
    if (all) {
      all.checked = n > 0 && n === ticks.length;
      all.indeterminate = n > 0 && n < ticks.length;
    }
  }

  if (all) {
    all.addEventListener("change", function () {
      ticks.forEach(function (box) { box.checked = all.checked; });
      refresh();
    });
  }
  ticks.forEach(function (box) { box.addEventListener("change", refresh); });
  refresh();
})();
