// The scorecard charts: each slice or bar carries the link to the rows behind it, and a click opens them.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.echarts) return;
  const open = (params) => {
    const url = params.data && params.data.url;
    if (url) window.location.href = url;
  };
  const card = document.getElementById("scorecard-chart-data");
  if (card) {
    const charts = JSON.parse(card.textContent);
    document.querySelectorAll(".scorecard-chart[data-chart]").forEach((node) => {
      const items = charts[node.dataset.chart];
      if (!items) return;
      const data = items.map((item) => ({ name: item.name, value: item.value, url: item.url, itemStyle: { color: item.color } }));
      const chart = window.echarts.init(node);
      const option =
        node.dataset.kind === "pie"
          ? {
              animation: false,
              tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
              legend: { bottom: 0, itemWidth: 10, itemHeight: 10, textStyle: { fontSize: 11 } },
              series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "42%"], label: { formatter: "{c}" }, data }],
            }
          : {
              animation: false,
              grid: { left: 32, right: 8, top: 12, bottom: 24 },
              tooltip: { trigger: "item", formatter: "{b}：{c}" },
              xAxis: { type: "category", data: items.map((item) => item.name), axisLabel: { fontSize: 11 } },
              yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: 10 } },
              series: [{ type: "bar", data, label: { show: true, position: "top" } }],
            };
      chart.setOption(option);
      chart.on("click", open);
      node.chart = chart;
    });
  }
  const index = document.getElementById("scorecard-index-data");
  const node = document.querySelector(".scorecard-chart[data-chart=index]");
  if (index && node) {
    const data = JSON.parse(index.textContent);
    const chart = window.echarts.init(node);
    chart.setOption({
      animation: false,
      grid: { left: 150, right: 16, top: 24, bottom: 20 },
      legend: { top: 0, textStyle: { fontSize: 11 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.names, inverse: true, axisLabel: { fontSize: 11 } },
      series: data.series.map((s) => ({
        name: s.name,
        type: "bar",
        stack: "lights",
        itemStyle: { color: s.color },
        data: s.data.map((value, i) => ({ value, url: s.urls[i] })),
      })),
    });
    chart.on("click", open);
    node.chart = chart;
  }
});
