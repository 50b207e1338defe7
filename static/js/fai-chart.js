// The FAI chart: planned, actual and forecast cumulative investment (亿元) with the target line.
document.addEventListener("DOMContentLoaded", () => {
  const node = document.getElementById("fai-chart");
  const source = document.getElementById("fai-chart-data");
  if (!node || !source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const chart = window.echarts.init(node);
  const series = [
    { name: "计划", type: "line", data: data.planned, lineStyle: { type: "dashed" } },
    { name: "实际", type: "line", data: data.actual },
    { name: "预测", type: "line", data: data.forecast, lineStyle: { type: "dotted" } },
  ];
  if (data.target !== null) {
    series.push({ name: "目标", type: "line", data: data.months.map(() => data.target), symbol: "none" });
  }
  chart.setOption({
    tooltip: { trigger: "axis", valueFormatter: (v) => (v === null || v === undefined ? "—" : `${v.toFixed(2)} 亿元`) },
    legend: {},
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", name: "亿元" },
    series,
  });
  window.addEventListener("resize", () => chart.resize());
});
