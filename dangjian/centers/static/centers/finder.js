/* The centre finder: "use my location" reloads the page with the device's coordinates. */
(function () {
  var button = document.getElementById("use-location");
  if (!button) { return; }
  if (!navigator.geolocation) { button.hidden = true; return; }
  button.addEventListener("click", function () {
    var note = document.getElementById("location-note");
    note.textContent = "正在获取位置……";
    navigator.geolocation.getCurrentPosition(function (pos) {
      window.location.search = "?lat=" + pos.coords.latitude.toFixed(5) + "&lng=" + pos.coords.longitude.toFixed(5);
    }, function () { note.textContent = "无法获取您的位置，请选择所在社区。"; }, { timeout: 10000 });
  });
})();

/* The map of the listed centres: names are drawn as text (window.dj.textEl), a tap opens the centre. */
(function () {
  var el = document.getElementById("finder-map");
  var data = document.getElementById("finder-points");
  if (!el || !data || !window.L) { return; }
  var points = JSON.parse(data.textContent);
  var map = L.map(el, { zoomControl: true, attributionControl: !!el.dataset.tiles });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  var markers = points.map(function (p) {
    var marker = L.circleMarker([p.lat, p.lng], { radius: 8, color: "#c8161d", fillColor: "#c8161d", fillOpacity: 0.85, weight: 2 });
    marker.bindTooltip(window.dj.textEl(p.name), { permanent: points.length <= 3, direction: "top" });
    marker.on("click", function () { window.location.href = p.url; });
    return marker.addTo(map);
  });
  var group = L.featureGroup(markers);
  if (points.length === 1) {
    map.setView([points[0].lat, points[0].lng], 16);
  } else {
    map.fitBounds(group.getBounds(), { padding: [24, 24], maxZoom: 16 });
  }
  el.classList.add("map-ready");
})();
