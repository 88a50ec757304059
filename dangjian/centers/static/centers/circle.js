/* The ten-minute circle map: centres with their walking radius, estates in or out, and the planner. */
(function () {
  var el = document.getElementById("circle-map");
  if (!el || !window.L) { return; }
  var map = L.map(el, { attributionControl: !!el.dataset.tiles });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  map.setView([22.27, 113.57], 13);
  var status = document.getElementById("circle-status");
  var dropped = [];
  var droppedLayer = L.layerGroup().addTo(map);
  var planLayer = L.layerGroup().addTo(map);
  var radius = 577;
  var textEl = window.dj.textEl;
  function add(parent, child) { parent.appendChild(child); return child; }

  fetch(el.dataset.geojson, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      radius = data.radius_m;
      var counts = { center: 0, covered: 0, uncovered: 0 };
      var layer = L.geoJSON(data, {
        pointToLayer: function (f, latlng) {
          var p = f.properties;
          if (p.kind === "center") {
            counts.center += 1;
            L.circle(latlng, { radius: radius, color: "#c8161d", weight: 1, fillOpacity: 0.06, interactive: false }).addTo(map);
            return L.circleMarker(latlng, { radius: 7, color: "#fff", weight: 2, fillColor: "#c8161d", fillOpacity: 1 });
          }
          counts[p.covered ? "covered" : "uncovered"] += 1;
          var colour = p.covered ? "#1a7f37" : "#8c959f";
          return L.circleMarker(latlng, { radius: 5, color: colour, fillColor: colour, fillOpacity: 0.9, weight: 1 });
        },
        onEachFeature: function (f, lyr) {
          var p = f.properties;
          var tip = p.kind === "center" ? p.name + "（" + p.level + "）"
            : p.name + "：" + (p.covered ? "圈内" : "圈外") + (p.nearest ? "，距「" + p.nearest + "」步行约 " + p.minutes + " 分钟" : "");
          lyr.bindTooltip(textEl(tip));
        }
      }).addTo(map);
      if (data.features.length) { map.fitBounds(layer.getBounds(), { padding: [16, 16] }); }
      status.textContent = "服务中心 " + counts.center + " 个，圈内小区 " + counts.covered + " 个，圈外 " + counts.uncovered + " 个";
      el.classList.add("map-ready");
    })
    .catch(function () { status.textContent = "地图数据加载失败，请刷新重试。"; });

  var pointsLabel = document.getElementById("plan-points");
  map.on("click", function (e) {
    dropped.push([+e.latlng.lat.toFixed(6), +e.latlng.lng.toFixed(6)]);
    L.circleMarker(e.latlng, { radius: 5, color: "#0b5cad", fillOpacity: 0, weight: 2 }).addTo(droppedLayer);
    pointsLabel.textContent = pointsLabel.dataset.template.replace("%(n)s", dropped.length);
  });
  document.getElementById("plan-clear").addEventListener("click", function () {
    dropped = []; droppedLayer.clearLayers(); planLayer.clearLayers();
    pointsLabel.textContent = pointsLabel.dataset.template.replace("%(n)s", 0);
    document.getElementById("plan-result").replaceChildren();
  });
  document.getElementById("plan-form").addEventListener("submit", function (e) { e.preventDefault(); });
  document.getElementById("plan-run").addEventListener("click", function () {
    var body = new URLSearchParams();
    body.set("k", document.getElementById("plan-k").value);
    body.set("area", el.dataset.area);
    body.set("points", JSON.stringify(dropped));
    var token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
    var out = document.getElementById("plan-result");
    out.textContent = "正在计算……";
    fetch(el.dataset.plan, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": token }, body: body })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        planLayer.clearLayers();
        if (d.error) { out.replaceChildren(textEl(d.error, "p")); out.firstChild.className = "errorlist"; return; }
        var pct = function (x) { return (x * 100).toFixed(1) + "%"; };
        out.replaceChildren(textEl("规划前圈内居民 " + d.covered_before + " / " + d.residents_total + "（" + pct(d.share_before) + "）", "p"));
        if (!d.picks.length) { add(out, textEl("所有居民已在服务圈内，或候选点无法新增覆盖。", "p")).className = "empty"; }
        var list = add(out, document.createElement("ol"));
        list.className = "plan-picks";
        d.picks.forEach(function (p) {
          var item = add(list, document.createElement("li"));
          add(item, textEl(p.label, "strong"));
          add(item, document.createTextNode("：新增覆盖 " + p.gain + " 人，累计 " + p.covered_total + " 人（" + pct(p.share) + "）"));
          add(item, textEl(p.estates.join("、"), "div")).className = "muted";
          L.circle([p.lat, p.lng], { radius: d.radius_m, color: "#0b5cad", weight: 2, dashArray: "4 4", fillOpacity: 0.08 }).addTo(planLayer);
          var pin = textEl(p.rank);
          L.marker([p.lat, p.lng], { icon: L.divIcon({ className: "plan-pin", html: pin, iconSize: [22, 22] }) })
            .bindTooltip(textEl(p.label)).addTo(planLayer);
        });
        out.setAttribute("data-done", "1");
      })
      .catch(function () { out.textContent = "计算失败，请重试。"; });
  });
})();
