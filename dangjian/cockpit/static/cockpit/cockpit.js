/* 驾驶舱 (cockpit/cockpit.html): each .cockpit-chart box draws the ECharts option the server built
   (cockpit.readings.trend_option), read from its json_script (data-source): labels reach ECharts as
   data, never as HTML. On the wall a group comes back every minute through htmx (outerHTML): the
   swapped-in group's chart is drawn again (htmx:load), the old one's instance goes with its box. */
(function () {
  if (!window.echarts) { return; }

  function draw(root) {
    var boxes = root.querySelectorAll ? root.querySelectorAll(".cockpit-chart[data-source]") : [];
    Array.prototype.forEach.call(boxes, function (box) {
      if (window.echarts.getInstanceByDom(box)) { return; }
      var el = document.getElementById(box.dataset.source);
      if (!el) { return; }
      var spec = JSON.parse(el.textContent);
      var chart = window.echarts.init(box, null, { renderer: "svg" });
      chart.on("finished", function () { box.setAttribute("data-ready", "1"); });
      chart.setOption(spec.option);
    });
  }

  window.addEventListener("resize", function () {
    document.querySelectorAll(".cockpit-chart").forEach(function (box) {
      var chart = window.echarts.getInstanceByDom(box);
      if (chart) { chart.resize(); }
    });
  });
  draw(document);
  document.addEventListener("htmx:load", function (event) { draw(event.target); });
})();
