/* Quarterly review: draws the charts described in the #review-charts JSON with Chart.js
   (served by the app from node_modules). Every chart sits next to the table holding the same
   figures, so the page reads fine without JavaScript and with a screen reader. */
(function () {
  "use strict";
  var source = document.getElementById("review-charts");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var specs = JSON.parse(source.textContent);
  // Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
  var palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
  var locale = document.documentElement.lang || "it";
  var numbers = new Intl.NumberFormat(locale);
  // Lines that coincide (people taken in and new intakes, month by month) stay apart by
  // their dash and marker, not by colour alone (UX audit C 29).
  var dashes = [[], [8, 4], [2, 3], [12, 3, 2, 3]];
  var markers = ["circle", "triangle", "rectRot", "rect"];

  specs.forEach(function (spec) {
    var canvas = document.getElementById("chart-" + spec.table);
    if (!canvas) {
      return;
    }
    var single = spec.datasets.length === 1 && spec.type === "bar";
    var datasets = spec.datasets.map(function (dataset, i) {
      var colour = palette[i % palette.length];
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: single
          ? spec.labels.map(function (_label, j) { return palette[j % palette.length]; })
          : colour,
        borderColor: colour,
        tension: 0.2,
        borderDash: spec.type === "line" ? dashes[i % dashes.length] : undefined,
        pointStyle: markers[i % markers.length],
        pointRadius: spec.type === "line" ? 3 + i : undefined,
      };
    });
    canvas.parentElement.style.height = spec.horizontal ? "22rem" : "18rem";
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        plugins: {
          legend: { display: !single },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var value = spec.horizontal ? ctx.parsed.x : ctx.parsed.y;
                return ctx.dataset.label + ": " + numbers.format(value);
              },
            },
          },
        },
        scales: {
          x: { stacked: spec.stacked, beginAtZero: true, ticks: { precision: 0 } },
          y: { stacked: spec.stacked, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
    canvas.dataset.drawn = "true";
  });
})();
