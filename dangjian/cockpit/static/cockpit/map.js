/* 驾驶舱 map layer (cockpit/_map.html): the grids under the node coloured by the chosen figure, five
   classes from pale to deep red (the server sends each grid's class and the legend's ranges, see
   cockpit.maps), grey where a rate has nothing to count. Grid names and values reach Leaflet as text
   nodes (window.dj.textEl), never as HTML; a click follows the grid's drill-down link, which is a
   path on this site. */
(function () {
  var el = document.getElementById("cockpit-map");
  var select = document.getElementById("cockpit-map-figure");
  if (!el || !select || !window.L) { return; }
  var SCALE = ["#fde0dd", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
  var NONE = "#e6e8eb";
  var status = document.getElementById("cockpit-map-status");
  var legendBox = document.getElementById("cockpit-map-legend");
  var map = L.map(el, { zoomControl: true, attributionControl: !!el.dataset.tiles });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  map.setView([22.27, 113.57], 12);
  var layer = null;
  var framed = false;

  function colour(cls) { return cls >= 0 ? SCALE[Math.min(cls, SCALE.length - 1)] : NONE; }

  function sameSite(url) { return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/"; }

  function legend(geo) {
    var old = legendBox.querySelector(".cockpit-map-scale");
    if (old) { old.remove(); }
    if (!geo.legend.length) { return; }
    var scale = document.createElement("span");
    scale.className = "cockpit-map-scale";
    scale.setAttribute("data-testid", "map-scale");
    geo.legend.forEach(function (text, i) {
      var item = document.createElement("span");
      var swatch = document.createElement("i");
      swatch.style.background = SCALE[geo.legend.length === 1 ? SCALE.length - 1 : i];
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(text));
      scale.appendChild(item);
    });
    if (geo.figure.rate) {  // only a rate can have nothing to count (grey)
      var none = document.createElement("span");
      var grey = document.createElement("i");
      grey.style.background = NONE;
      none.appendChild(grey);
      none.appendChild(document.createTextNode(el.dataset.none));
      scale.appendChild(none);
    }
    var unit = document.createElement("span");
    unit.textContent = "（" + geo.figure.unit + "）";
    scale.appendChild(unit);
    legendBox.insertBefore(scale, legendBox.firstChild);
  }

  function load() {
    var url = new URL(el.dataset.url, window.location.href);
    url.searchParams.set("figure", select.value);
    el.classList.remove("map-ready");
    fetch(url.toString(), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (geo) {
        if (layer) { map.removeLayer(layer); }
        var single = geo.legend.length === 1;
        layer = L.geoJSON(geo, {
          style: function (f) {
            var cls = single && f.properties.cls === 0 ? SCALE.length - 1 : f.properties.cls;
            return { color: "#7a0c10", weight: 1, fillColor: colour(cls), fillOpacity: cls >= 0 ? 0.75 : 0.35 };
          },
          onEachFeature: function (f, lyr) {
            var p = f.properties;
            var tip = (p.community ? p.community + " · " : "") + p.name + "：" + p.display +
              (p.value === null ? "" : " " + geo.figure.unit);
            lyr.bindTooltip(window.dj.textEl(tip), { sticky: true });
            lyr.on("click", function () { if (sameSite(p.url)) { window.location.href = p.url; } });
          }
        }).addTo(map);
        // Each shape names its grid (an attribute, set as text) for people's tools and the browser tests.
        layer.eachLayer(function (lyr) {
          var shape = lyr.getElement && lyr.getElement();
          if (shape) { shape.setAttribute("data-grid", lyr.feature.properties.name); }
        });
        el.dataset.grids = geo.features.length;
        el.dataset.figure = geo.figure.key;
        if (geo.features.length) {
          if (!framed) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); framed = true; }
          status.textContent = el.dataset.loaded.replace("%(g)s", geo.features.length);
        } else {
          status.textContent = el.dataset.empty;
        }
        legend(geo);
        el.classList.add("map-ready");
      })
      .catch(function () { status.textContent = el.dataset.failed; });
  }

  select.addEventListener("change", load);
  load();
})();
