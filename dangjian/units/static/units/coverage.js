/* Coverage page: a bar chart of the rates per child node (or per unit kind). Clicking a bar opens that node. */
(function () {
  var box = document.getElementById("coverage-chart");
  var source = document.getElementById("coverage-data");
  if (!box || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var narrow = box.clientWidth < 560;
  var chart = window.echarts.init(box, null, { renderer: "svg" });
  var colors = ["#c8161d", "#e8862a", "#1f6feb", "#1a7f37"];
  chart.on("finished", function () { box.setAttribute("data-ready", "1"); });
  chart.setOption({
    color: colors,
    animation: false,
    grid: { left: 40, right: 10, top: narrow ? 56 : 40, bottom: narrow ? 70 : 50, containLabel: false },
    legend: { top: 0, itemWidth: 14, textStyle: { fontSize: narrow ? 11 : 12 } },
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      valueFormatter: function (v) { return v === null || v === undefined ? box.dataset.empty : v + "%"; }
    },
    xAxis: {
      type: "category",
      data: data.labels,
      axisLabel: { interval: 0, rotate: narrow || data.labels.length > 6 ? 35 : 0, fontSize: narrow ? 10 : 12 }
    },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: data.series.map(function (s) {
      return { name: s.name, type: "bar", data: s.data, barMaxWidth: 18 };
    })
  });
  chart.on("click", function (params) {
    var url = data.urls && data.urls[params.dataIndex];
    if (url) { window.location.href = url; }
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
