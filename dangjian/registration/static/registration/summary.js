/* The summary's bar chart: share of members and units that registered, per community. */
(function () {
  var holder = document.getElementById("summary-chart");
  var data = JSON.parse(document.getElementById("summary-data").textContent);
  if (!holder || !window.echarts) { return; }
  var chart = window.echarts.init(holder);
  var narrow = holder.clientWidth < 560;
  chart.setOption({
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
    legend: { data: [holder.dataset.members, holder.dataset.units], top: 0 },
    grid: { left: 8, right: 12, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.communities, axisLabel: { interval: 0, rotate: narrow || data.communities.length > 8 ? 45 : 0 } },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { name: holder.dataset.members, type: "bar", data: data.members_share, itemStyle: { color: "#c8161d" } },
      { name: holder.dataset.units, type: "bar", data: data.units_share, itemStyle: { color: "#e6a23c" } }
    ]
  });
  holder.classList.add("chart-ready");
  window.addEventListener("resize", function () { chart.resize(); });
})();
