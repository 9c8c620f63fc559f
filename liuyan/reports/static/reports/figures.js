// Draws the figure pages' chart with ECharts when it is present; the tables carry the same
// figures, so nothing is lost without JavaScript. No inline script: the data comes from a
// json_script element (Content-Security-Policy).
(function () {
  function draw() {
    var holder = document.getElementById("figures-chart");
    var data = document.getElementById("figures-chart-data");
    if (!holder || !data || typeof echarts === "undefined") return;
    var series = JSON.parse(data.textContent);
    var chart = echarts.init(holder);
    chart.setOption({
      grid: { left: 40, right: 16, top: 40, bottom: 32, containLabel: true },
      // richText: drawn on the canvas; the HTML tooltip writes style="" attributes, which the
      // Content-Security-Policy (style-src 'self') refuses.
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0, type: "scroll" },
      xAxis: { type: "category", data: series.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { type: "bar", name: holder.dataset.received, data: series.received, itemStyle: { color: "#a61b1b" } },
        { type: "bar", name: holder.dataset.replied, data: series.replied, itemStyle: { color: "#d9822b" } },
        { type: "line", name: holder.dataset.published, data: series.published, itemStyle: { color: "#2b5d8a" } },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
