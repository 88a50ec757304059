/* Figures pages (core/figures/page.html): each .chart[data-chart] box draws the ECharts option the
   server built (core.figures.display) and sent with json_script (#data-source, key data-chart).
   Labels reach ECharts as data, never as HTML. A box under 560 px merges the chart's `narrow`
   option in; a chart with `urls` follows the clicked bar's link (drill down). */
(function () {
  if (!window.echarts) { return; }

  function merge(into, from) {
    var out = {};
    Object.keys(into).forEach(function (k) { out[k] = into[k]; });
    Object.keys(from).forEach(function (k) {
      var a = out[k], b = from[k];
      var plain = function (v) { return v && typeof v === "object" && !Array.isArray(v); };
      out[k] = plain(a) && plain(b) ? merge(a, b) : b;
    });
    return out;
  }

  var sources = {};
  function data(id) {
    if (!(id in sources)) {
      var el = document.getElementById(id);
      sources[id] = el ? JSON.parse(el.textContent) : null;
    }
    return sources[id];
  }

  document.querySelectorAll(".chart[data-chart]").forEach(function (box) {
    var all = data(box.dataset.source);
    var spec = all && all[box.dataset.chart];
    if (!spec) { return; }
    var option = spec.narrow && box.clientWidth < 560 ? merge(spec.option, spec.narrow) : spec.option;
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    chart.on("finished", function () { box.setAttribute("data-ready", "1"); });
    window.addEventListener("resize", function () { chart.resize(); });
    chart.setOption(option);
    if (spec.urls) {
      chart.on("click", function (params) {
        var url = spec.urls[params.dataIndex];
        if (url) { window.location.href = url; }
      });
    }
  });
})();
