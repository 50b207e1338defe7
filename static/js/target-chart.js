// One small fan chart per target: the yearly figures, the target line, the forecast from the latest figure
// with its 80% and 95% bands (stacked areas over an invisible lower bound). A click opens the indicator.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("target-chart-data");
  if (!source || !window.echarts) return;
  const charts = JSON.parse(source.textContent);
  const gap = (low, high) => low.map((l, i) => (l === null || high[i] === null ? "-" : high[i] - l));
  const dash = (values) => values.map((v) => (v === null ? "-" : v));
  // A bound rounded to half a power of ten of the span (7,167.9 → 7,200).
  const nice = (low, high, round, upper = false) => {
    const step = Math.pow(10, Math.floor(Math.log10(high - low || Math.abs(high) || 1))) / 2;
    return round((upper ? high : low) / step) * step;
  };
  const format = (v, unit) =>
    v === null || v === undefined || v === "-" ? "—" : `${Number(v).toLocaleString("zh-CN", { maximumFractionDigits: 2 })} ${unit}`;
  document.querySelectorAll(".target-chart[data-chart]").forEach((node) => {
    const data = charts[node.dataset.chart];
    if (!data) return;
    const band = (name, stack, low, high, opacity) => [
      { name: `${name}下限`, type: "line", stack, data: dash(low), symbol: "none", lineStyle: { opacity: 0 }, silent: true, tooltip: { show: false } },
      {
        name,
        type: "line",
        stack,
        data: gap(low, high),
        symbol: "none",
        lineStyle: { opacity: 0 },
        areaStyle: { color: "#0d6efd", opacity },
        silent: true,
        tooltip: { show: false },
      },
    ];
    const chart = window.echarts.init(node);
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 12, top: 14, bottom: 22 },
      tooltip: {
        trigger: "axis",
        formatter: (items) => {
          const year = items[0].axisValue;
          const index = data.years.indexOf(year);
          const lines = [`${year} 年`];
          if (data.actual[index] !== null) lines.push(`实际 ${format(data.actual[index], data.unit)}`);
          if (data.forecast[index] !== null && data.actual[index] === null) {
            lines.push(`预测 ${format(data.forecast[index], data.unit)}`);
            lines.push(`80% ${format(data.low80[index], "")}–${format(data.high80[index], data.unit)}`);
            lines.push(`95% ${format(data.low95[index], "")}–${format(data.high95[index], data.unit)}`);
          }
          if (year === String(data.target_year)) lines.push(`目标 ${format(data.target, data.unit)}`);
          return lines.join("<br>");
        },
      },
      xAxis: { type: "category", data: data.years, axisLabel: { fontSize: 10 } },
      yAxis: {
        type: "value",
        scale: true,
        axisLabel: { fontSize: 10 },
        splitNumber: 3,
        // the target line is always in view, however far from the figures, on round bounds
        min: (extent) => nice(Math.min(extent.min, data.target), Math.max(extent.max, data.target), Math.floor),
        max: (extent) => nice(Math.min(extent.min, data.target), Math.max(extent.max, data.target), Math.ceil, true),
      },
      series: [
        ...band("95% 区间", "b95", data.low95, data.high95, 0.12),
        ...band("80% 区间", "b80", data.low80, data.high80, 0.22),
        { name: "预测", type: "line", data: dash(data.forecast), symbol: "none", lineStyle: { type: "dashed", color: "#0d6efd" } },
        {
          name: "实际",
          type: "line",
          data: dash(data.actual),
          symbolSize: 5,
          lineStyle: { color: "#212529" },
          itemStyle: { color: "#212529" },
          markLine: {
            symbol: "none",
            silent: true,
            label: { formatter: "目标", fontSize: 10, position: "insideEndTop" },
            lineStyle: { color: "#dc3545", type: "solid" },
            data: [{ yAxis: data.target }],
          },
        },
      ],
    });
    // The whole chart is a link to the indicator behind it (a click anywhere, not only on a point).
    chart.getZr().on("click", () => {
      window.location.href = data.url;
    });
    node.dataset.rendered = "true";
    window.addEventListener("resize", () => chart.resize());
  });
});
