/* The demand figures page: the children bar chart (click to drill down) and the received/done trend. */
(function () {
  var source = document.getElementById("demand-figures-chart");
  var data = source ? JSON.parse(source.textContent) : null;
  if (!data || !window.echarts) { return; }
  function ready(box, chart) {
    chart.on("finished", function () { box.setAttribute("data-ready", "1"); });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var box = document.getElementById("children-chart");
  if (box) {
    var c = data.children;
    var narrow = box.clientWidth < 560;
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    ready(box, chart);
    chart.setOption({
      color: ["#1f6feb", "#1a7f37", "#c8161d"],
      animation: false,
      grid: { left: 44, right: 10, top: 40, bottom: narrow || c.labels.length > 6 ? 78 : 40 },
      legend: { top: 0, itemWidth: 14 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "category", data: c.labels, axisLabel: { interval: 0, rotate: narrow || c.labels.length > 6 ? 35 : 0, fontSize: narrow ? 10 : 12 } },
      yAxis: { type: "value", minInterval: 1 },
      series: c.series.map(function (s) { return { name: s.name, type: "bar", data: s.data, barMaxWidth: 18 }; })
    });
    chart.on("click", function (p) { var url = c.urls[p.dataIndex]; if (url) { window.location.href = url; } });
  }
  var tbox = document.getElementById("trend-chart");
  if (tbox) {
    var t = data.trend;
    var trend = window.echarts.init(tbox, null, { renderer: "svg" });
    ready(tbox, trend);
    trend.setOption({
      color: ["#1f6feb", "#1a7f37"],
      animation: false,
      grid: { left: 44, right: 12, top: 40, bottom: 56 },
      legend: { top: 0, itemWidth: 14 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: t.labels, axisLabel: { rotate: 35, fontSize: 10 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: t.received_name, type: "bar", data: t.received, barMaxWidth: 14 },
        { name: t.done_name, type: "line", data: t.done }
      ]
    });
  }
})();
