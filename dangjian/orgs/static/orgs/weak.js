/* The weak organizations page: a stacked bar chart of rectifications by status. */
(function () {
  var el = document.getElementById("weak-chart");
  var data = JSON.parse(document.getElementById("weak-chart-data").textContent);
  if (!el || !window.echarts) { return; }
  var colors = { flagged: "#b35900", rectifying: "#c8161d", applied_for_delisting: "#0b5cad", delisted: "#1a7f37" };
  var chart = window.echarts.init(el);
  function render() {
    var narrow = el.clientWidth < 520;  // the legend wraps to two lines on a phone
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, itemGap: narrow ? 8 : 16 },
      grid: { left: 8, right: 8, bottom: 8, top: narrow ? 64 : 40, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLabel: { interval: 0, rotate: narrow && data.categories.length > 3 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "cases", barMaxWidth: 56, data: s.data, itemStyle: { color: colors[s.key] } };
      })
    });
    chart.resize();
  }
  render();
  window.addEventListener("resize", render);
  el.setAttribute("data-ready", "1");
})();
