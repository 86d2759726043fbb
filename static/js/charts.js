/* Draw every chart of the page from its JSON block (no inline scripts: see evalapp/reporting/embed.py). */
(function () {
  "use strict";
  var svgIcon = { width: 1000, height: 1000, path: "M200 100h450l150 150v650h-600zM300 500h400v80h-400zM300 650h400v80h-400z" };
  var charts = [];
  var french = document.documentElement.lang === "fr";
  // Plotly's toolbar in French (plotly.js ships its locales apart; these are the strings our charts show).
  if (window.Plotly && french) {
    window.Plotly.register({
      moduleType: "locale", name: "fr",
      dictionary: {
        "Download plot as a png": "Télécharger le graphique en PNG", "Download plot as a PNG": "Télécharger le graphique en PNG",
        "Download plot": "Télécharger le graphique",
        "Zoom": "Zoom", "Pan": "Déplacer", "Box Select": "Sélection rectangulaire", "Lasso Select": "Sélection lasso",
        "Zoom in": "Zoom avant", "Zoom out": "Zoom arrière", "Autoscale": "Échelle automatique",
        "Reset axes": "Réinitialiser les axes", "Reset view": "Réinitialiser la vue",
        "Toggle Spike Lines": "Lignes de repère", "Show closest data on hover": "Donnée la plus proche au survol",
        "Compare data on hover": "Comparer les données au survol",
        "Double-click to zoom back out": "Double-cliquez pour revenir",
        "Taking snapshot - this may take a few seconds": "Capture en cours…", "Snapshot succeeded": "Capture réussie"
      },
      format: { decimal: ",", thousands: "\u202f" }
    });
  }
  // The printed report draws charts at the width of an A4 page.
  // 850 px drawn at 80 % (app.css): 680 px, the width of the page, with the chart's text at the size of the tables'.
  var printWidth = document.body.classList.contains("report-page") ? 850 : null;
  document.querySelectorAll("[data-figure]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    var name = el.id || "chart";
    // Numbers as the page's language writes them: 3,1 and 1 234 in French.
    figure.layout.separators = french ? ",\u202f" : ".,";
    if (printWidth) { figure.layout.width = printWidth; }
    window.Plotly.newPlot(el, figure.data, figure.layout, {
      responsive: !printWidth,
      locale: french ? "fr" : "en",
      displaylogo: false,
      // Nothing leaves the machine: no "send to cloud" or "edit in Chart Studio" buttons.
      showSendToCloud: false,
      showEditInChartStudio: false,
      modeBarButtonsToRemove: ["sendDataToCloud", "editInChartStudio"],
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
  // Dashboards printed from the browser: fit each chart to the page width.
  window.addEventListener("beforeprint", function () {
    if (printWidth) { return; }
    charts.forEach(function (el) { window.Plotly.Plots.resize(el); });
  });
})();
