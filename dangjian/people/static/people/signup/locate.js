/* 居民注册: "使用当前位置" fills the hidden lat/lng fields; the server finds the grid and community.
   Messages come from data- attributes (translated in the template); nothing from data becomes HTML. */
(function () {
  "use strict";
  var button = document.getElementById("signup-locate");
  if (!button) { return; }
  var status = document.getElementById("signup-locate-status");
  var lat = document.getElementById("id_lat");
  var lng = document.getElementById("id_lng");
  button.hidden = false;
  button.addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = button.dataset.unsupported; return; }
    status.textContent = button.dataset.locating;
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lng.value = pos.coords.longitude.toFixed(6);
        status.textContent = button.dataset.done;
      },
      function () { status.textContent = button.dataset.denied; },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
    );
  });
}());
