// A liaison's check-in: fill the form's hidden lat/lng from the phone's location. The words come from
// the form's data attributes (translated in the template) and are set as text, never as HTML.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-locate]")) {
    const status = form.querySelector("[data-locate-status]");
    const say = (text) => {
      if (status) status.textContent = text;
    };
    if (!navigator.geolocation) {
      say(form.dataset.noLocation);
      continue;
    }
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        form.elements.lat.value = pos.coords.latitude.toFixed(6);
        form.elements.lng.value = pos.coords.longitude.toFixed(6);
        say(form.dataset.located);
      },
      () => say(form.dataset.noLocation),
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 },
    );
  }
});
