// The report's charts: Plotly figures (JSON in #figures) drawn into each .chart container.
// Clicking a point opens the sentence it came from (its link is the point's customdata[0]).
(function () {
  "use strict";
  var source = document.getElementById("figures");
  if (!source) return;
  var figures = JSON.parse(source.textContent);
  var containers = document.querySelectorAll(".chart[data-figure]");
  if (typeof window.Plotly === "undefined") {
    containers.forEach(function (el) {
      el.textContent = "The chart library (assets/plotly.min.js) did not load.";
      el.classList.add("chart-failed");
    });
    return;
  }
  var config = { displaylogo: false, responsive: true, displayModeBar: false };
  containers.forEach(function (el) {
    var figure = figures[el.dataset.figure];
    if (!figure) return;
    window.Plotly.newPlot(el, figure.data, figure.layout, config).then(function () {
      el.classList.add("is-rendered");
      el.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        if (point && point.customdata) window.location.href = point.customdata[0];
      });
    });
  });
})();
