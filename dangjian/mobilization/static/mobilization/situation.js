/* The situation map of a call-up: grid polygons coloured by unmet headcount (or households not yet
   visited), from json_script data; tooltips are text nodes, never HTML from data. */
(function () {
  var SCALE = ["#fde0dd", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
  function colour(n, max) {
    if (!n) { return "#c7e9c0"; }
    var k = Math.min(SCALE.length - 1, Math.floor((n / Math.max(max, 1)) * SCALE.length - 1e-9));
    return SCALE[Math.max(0, k)];
  }
  var el = document.getElementById("mb-map");
  var data = document.getElementById("mb-grids");
  if (!el || !data || !window.L) { return; }
  var features = JSON.parse(data.textContent);
  if (!features.length) { el.textContent = el.dataset.empty; el.classList.add("map-ready"); return; }
  var map = L.map(el, { attributionControl: false });
  var key = "unmet";
  var layer = null;
  function draw() {
    if (layer) { map.removeLayer(layer); }
    var max = 0;
    features.forEach(function (f) { max = Math.max(max, f.properties[key]); });
    layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
      style: function (f) { return { color: "#555", weight: 1, fillColor: colour(f.properties[key], max), fillOpacity: 0.7 }; },
      onEachFeature: function (f, lyr) {
        var p = f.properties;
        var tip = p.community + " · " + p.name + "：" + el.dataset.unmet + " " + p.unmet + " " + el.dataset.people +
          "，" + el.dataset.unvisited + " " + p.unvisited + " " + el.dataset.households;
        lyr.bindTooltip(window.dj.textEl(tip), { sticky: true });
      }
    }).addTo(map);
    return layer;
  }
  map.fitBounds(draw().getBounds(), { padding: [10, 10] });
  document.querySelectorAll("input[name=colour]").forEach(function (r) {
    r.addEventListener("change", function () { key = r.value; draw(); });
  });
  el.classList.add("map-ready");
})();
