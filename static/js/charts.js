/* Draw every chart of the page from its JSON block (no inline scripts: see evalapp/reporting/embed.py). */
(function () {
  "use strict";
  var svgIcon = { width: 1000, height: 1000, path: "M200 100h450l150 150v650h-600zM300 500h400v80h-400zM300 650h400v80h-400z" };
  var charts = [];
  document.querySelectorAll("[data-figure]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    var name = el.id || "chart";
    window.Plotly.newPlot(el, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      toImageButtonOptions: { format: "png", filename: name, scale: 2 },
      modeBarButtonsToAdd: [{
        name: el.getAttribute("data-svg-label") || "SVG",
        title: el.getAttribute("data-svg-label") || "SVG",
        icon: svgIcon,
        click: function (gd) { window.Plotly.downloadImage(gd, { format: "svg", filename: name }); }
      }]
    });
    charts.push(el);
  });
  // Printed reports: fit each chart to the page width before printing.
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (el) { window.Plotly.Plots.resize(el); });
  });
})();
