/* The grid map: grids as polygons, estates and buildings as points, click to locate. */
(function () {
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var map = L.map(el, { zoomControl: true, attributionControl: !!el.dataset.tiles });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  map.setView([22.27, 113.57], 13);
  var status = document.getElementById("map-status");
  var styles = {
    grid: { color: "#c8161d", weight: 2, fillOpacity: 0.12 },
    estate: { radius: 6, color: "#1f6feb", fillColor: "#1f6feb", fillOpacity: 0.9, weight: 1 },
    building: { radius: 3, color: "#8250df", fillColor: "#8250df", fillOpacity: 0.9, weight: 1 }
  };
  fetch(el.dataset.geojson, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var counts = { grid: 0, estate: 0, building: 0 };
      var layer = L.geoJSON(data, {
        style: function (f) { return styles[f.properties.kind] || styles.grid; },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, styles[f.properties.kind]); },
        onEachFeature: function (f, lyr) {
          counts[f.properties.kind] += 1;
          lyr.bindTooltip(window.dj.textEl(f.properties.name), { sticky: f.properties.kind === "grid" });
        }
      }).addTo(map);
      el.dataset.grids = counts.grid;
      if (data.features.length) {
        map.fitBounds(layer.getBounds(), { padding: [12, 12] });
        status.textContent = el.dataset.loaded.replace("%(g)s", counts.grid).replace("%(e)s", counts.estate).replace("%(b)s", counts.building);
      } else {
        status.textContent = el.dataset.empty;
      }
      el.classList.add("map-ready");
    })
    .catch(function () { status.textContent = "地图数据加载失败，请刷新重试。"; });
  map.on("click", function (e) {
    var url = el.dataset.locate + "?lat=" + e.latlng.lat.toFixed(6) + "&lng=" + e.latlng.lng.toFixed(6);
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
      document.getElementById("locate-result").textContent = d.message || d.error || "";
    });
  });
})();
