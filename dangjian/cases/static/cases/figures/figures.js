/* The case figures page: a bar chart of the children (click a bar to drill down), the received
   trend, and a heat map of cases by grid (grid polygons coloured by their number of cases). */
(function () {
  var source = document.getElementById("figures-chart");
  var data = source ? JSON.parse(source.textContent) : null;
  var colors = ["#c8161d", "#1a7f37", "#e8862a"];

  function ready(box, chart) {
    chart.on("finished", function () { box.setAttribute("data-ready", "1"); });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function childrenChart() {
    var box = document.getElementById("children-chart");
    if (!box || !data || !window.echarts) { return; }
    var c = data.children;
    var narrow = box.clientWidth < 560;
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    ready(box, chart);
    chart.setOption({
      color: colors,
      animation: false,
      grid: { left: 44, right: 10, top: 40, bottom: narrow || c.labels.length > 6 ? 78 : 40 },
      legend: { top: 0, itemWidth: 14 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: {
        type: "category",
        data: c.labels,
        axisLabel: { interval: 0, rotate: narrow || c.labels.length > 6 ? 35 : 0, fontSize: narrow ? 10 : 12 }
      },
      yAxis: { type: "value", minInterval: 1 },
      series: c.series.map(function (s) { return { name: s.name, type: "bar", data: s.data, barMaxWidth: 18 }; })
    });
    chart.on("click", function (params) {
      var url = c.urls[params.dataIndex];
      if (url) { window.location.href = url; }
    });
  }

  function trendChart() {
    var box = document.getElementById("trend-chart");
    if (!box || !data || !window.echarts) { return; }
    var t = data.trend;
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    ready(box, chart);
    chart.setOption({
      color: ["#1f6feb"],
      animation: false,
      grid: { left: 44, right: 12, top: 20, bottom: 56 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: t.labels, axisLabel: { rotate: 35, fontSize: 10 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: t.name, type: "bar", data: t.values, barMaxWidth: 14 }]
    });
  }

  // Five steps from pale to deep red; grids without cases stay grey.
  var SCALE = ["#fde0dd", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
  function colour(count, max) {
    if (!count) { return "#e6e8eb"; }
    var k = Math.min(SCALE.length - 1, Math.floor((count / max) * SCALE.length - 1e-9));
    return SCALE[Math.max(0, k)];
  }

  function heatMap() {
    var el = document.getElementById("heatmap");
    if (!el || !window.L) { return; }
    var status = document.getElementById("heat-status");
    var map = L.map(el, { zoomControl: true, attributionControl: !!el.dataset.tiles });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    }
    map.setView([22.27, 113.57], 12);
    fetch(el.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geo) {
        var hot = 0;
        var layer = L.geoJSON(geo, {
          style: function (f) {
            var n = f.properties.count;
            return { color: "#7a0c10", weight: 1, fillColor: colour(n, geo.max), fillOpacity: n ? 0.75 : 0.35 };
          },
          onEachFeature: function (f, lyr) {
            if (f.properties.count) { hot += 1; }
            var tip = f.properties.community + " · " + f.properties.name + "：" + f.properties.count + " " + el.dataset.unit;
            lyr.bindTooltip(window.dj.textEl(tip), { sticky: true });
          }
        }).addTo(map);
        el.dataset.grids = geo.features.length;
        el.dataset.hot = hot;
        if (geo.features.length) {
          map.fitBounds(layer.getBounds(), { padding: [10, 10] });
          status.textContent = el.dataset.loaded
            .replace("%(g)s", geo.features.length).replace("%(h)s", hot).replace("%(n)s", geo.total);
          legend(geo.max);
        } else {
          status.textContent = el.dataset.empty;
        }
        el.classList.add("map-ready");
      })
      .catch(function () { status.textContent = el.dataset.failed; });
  }

  function legend(max) {
    var box = document.getElementById("heat-legend");
    if (!box || !max) { return; }
    var scale = document.createElement("span");
    scale.className = "heat-scale";
    scale.setAttribute("data-testid", "heat-scale");
    var swatch = function (c) { var i = document.createElement("i"); i.style.background = c; return i; };
    scale.appendChild(document.createTextNode("0"));
    scale.appendChild(swatch("#e6e8eb"));
    SCALE.forEach(function (c) { scale.appendChild(swatch(c)); });
    scale.appendChild(document.createTextNode(String(max)));
    box.insertBefore(scale, box.firstChild);
  }

  childrenChart();
  trendChart();
  heatMap();
})();
