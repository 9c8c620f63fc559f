// Draws the leader desk's weekly chart when ECharts is present; the table below the chart
// carries the same figures, so nothing is lost without JavaScript.
(function () {
  function draw() {
    var holder = document.getElementById("weekly-chart");
    var data = document.getElementById("weekly-data");
    if (!holder || !data || typeof echarts === "undefined") return;
    var series = JSON.parse(data.textContent);
    var chart = echarts.init(holder);
    chart.setOption({
      grid: { left: 40, right: 16, top: 24, bottom: 40 },
      // richText: the tooltip is drawn on the canvas. The HTML tooltip writes style="" attributes,
      // which the Content-Security-Policy (style-src 'self') refuses.
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: series.weeks },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: holder.dataset.label, data: series.counts, itemStyle: { color: "#a61b1b" } }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
