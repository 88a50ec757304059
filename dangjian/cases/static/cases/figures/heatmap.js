/* The case figures page's heat map of cases by grid (grid polygons coloured by their number of
   cases); the charts are the shared figures charts (static/js/figures.js). */
(function () {
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

  heatMap();
})();
