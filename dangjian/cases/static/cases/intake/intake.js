/* Case intake: drop a pin on the map (or take the device's location), preview photos, no double submit. */
(function () {
  "use strict";
  var el = document.getElementById("case-map");
  var form = el ? el.closest("form") : document.querySelector("form.case-form");

  if (el && window.L) {
    var lat = form.querySelector("input[name=lat]");
    var lng = form.querySelector("input[name=lng]");
    var status = document.getElementById("pin-status");
    var clear = document.getElementById("clear-pin");
    var map = L.map(el, { zoomControl: true, attributionControl: !!el.dataset.tiles });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    }
    var gridsScript = document.getElementById("case-map-grids");
    if (gridsScript) {
      L.geoJSON(JSON.parse(gridsScript.textContent), {
        style: { color: "#c8161d", weight: 1.5, fillOpacity: 0.06 },
        onEachFeature: function (f, layer) { layer.bindTooltip(window.dj.textEl(f.properties.name), { sticky: true }); },
        interactive: true
      }).addTo(map);
    }
    if (el.dataset.bounds) {
      map.fitBounds(JSON.parse(el.dataset.bounds), { padding: [8, 8] });
    } else {
      map.setView([22.27, 113.57], 13);
    }
    var marker = null;

    var describe = function (latlng) {
      var url = el.dataset.locate + "?lat=" + latlng.lat.toFixed(6) + "&lng=" + latlng.lng.toFixed(6);
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (d) {
          status.textContent = el.dataset.pinned + "：" + (d.message || d.error || "");
          // On the desk form, a pin also chooses the community and grid when they are on offer.
          var community = form.querySelector("select[name=community]");
          var grid = form.querySelector("select[name=grid]");
          if (community && d.community && community.querySelector("option[value='" + d.community + "']")) { community.value = d.community; }
          if (grid && d.grid && grid.querySelector("option[value='" + d.grid + "']")) { grid.value = d.grid; }
        })
        .catch(function () { status.textContent = el.dataset.pinned; });
    };

    var setPin = function (latlng, zoom) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
      lat.value = latlng.lat.toFixed(6);
      lng.value = latlng.lng.toFixed(6);
      el.dataset.pinned_at = lat.value + "," + lng.value;
      if (clear) { clear.hidden = false; }
      if (zoom) { map.setView(latlng, Math.max(map.getZoom(), zoom)); }
      describe(latlng);
    };

    if (lat.value && lng.value) {
      setPin(L.latLng(parseFloat(lat.value), parseFloat(lng.value)), 16);
    }
    map.on("click", function (e) { setPin(e.latlng); });

    var locateMe = function () {
      if (!navigator.geolocation) { status.textContent = el.dataset.unsupported; return; }
      status.textContent = el.dataset.locating;
      navigator.geolocation.getCurrentPosition(
        function (pos) { setPin(L.latLng(pos.coords.latitude, pos.coords.longitude), 17); },
        function () { status.textContent = el.dataset.denied; },
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
      );
    };
    document.getElementById("use-location").addEventListener("click", locateMe);
    if (clear) {
      clear.addEventListener("click", function () {
        if (marker) { map.removeLayer(marker); marker = null; }
        lat.value = ""; lng.value = "";
        clear.hidden = true;
        status.textContent = "";
      });
    }
    if (el.dataset.auto && !lat.value) { locateMe(); }
    el.classList.add("map-ready");
  }

  if (form) {
    var input = form.querySelector("input[type=file]");
    var previews = document.getElementById("photo-previews");
    if (input && previews) {
      input.addEventListener("change", function () {
        previews.replaceChildren();
        Array.prototype.slice.call(input.files, 0, 6).forEach(function (file) {
          var img = document.createElement("img");
          img.alt = file.name;
          img.src = URL.createObjectURL(file);
          previews.appendChild(img);
        });
      });
    }
    // A refused form: bring the first problem into view (on a phone it is often below the fold).
    var firstError = form.querySelector("ul.errorlist:not([data-testid=form-errors])") ||
      form.querySelector(".errorlist");
    if (firstError) {
      firstError.scrollIntoView({ block: "center" });
      // Django names a field's error list "<field id>_error".
      var control = firstError.id ? document.getElementById(firstError.id.replace(/_error$/, "")) : null;
      if (control && control.type !== "hidden") { control.focus({ preventScroll: true }); }
    }
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) { setTimeout(function () { button.disabled = true; }, 0); }
    });
  }
})();
