// An indicator's series: official, reported and estimated figures as separate series with their own marks,
// preliminary figures as diamonds, the sum of enterprise figures dashed. A click opens the rows behind a point.
document.addEventListener("DOMContentLoaded", () => {
  const node = document.getElementById("indicator-chart");
  const source = document.getElementById("indicator-chart-data");
  if (!node || !source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const marks = { official: "circle", reported: "triangle", estimated: "emptyCircle", sum: "rect" };
  const point = (p) => {
    if (p === null) return null;
    const item = { value: p.value, firms: p.firms, preliminary: p.preliminary, synthetic: p.synthetic };
    if (p.preliminary) {
      item.symbol = "diamond";
      item.symbolSize = 9;
    }
    return item;
  };
  const series = data.series.map((s) => ({
    name: s.name,
    type: "line",
    connectNulls: true,
    symbol: marks[s.key] || "circle",
    symbolSize: 6,
    lineStyle: s.key === "sum" || s.key === "estimated" ? { type: "dashed" } : {},
    data: s.data.map(point),
  }));
  const chart = window.echarts.init(node);
  chart.setOption({
    tooltip: {
      trigger: "item",
      formatter: (p) => {
        const d = p.data || {};
        const notes = [d.preliminary ? "初步" : "", d.synthetic ? "模拟" : "", d.firms ? `${d.firms} 家企业` : ""].filter(Boolean);
        return `${p.name} · ${p.seriesName}<br>${Number(p.value).toLocaleString("zh-CN")} ${data.unit}${notes.length ? `（${notes.join("，")}）` : ""}`;
      },
    },
    legend: {},
    grid: { left: 70, right: 20 },
    xAxis: { type: "category", data: data.periods },
    yAxis: { type: "value", name: data.unit, scale: true },
    series,
  });
  chart.on("click", (p) => {
    const url = new URL(window.location.href);
    url.searchParams.set("period", p.name);
    url.hash = "behind";
    window.location.href = url.toString();
  });
  window.addEventListener("resize", () => chart.resize());
});
