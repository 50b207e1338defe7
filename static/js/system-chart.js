// The system page's sunburst: requirement at the centre, categories, then industries with leader and department.
(function () {
  const el = document.getElementById("system-chart");
  const data = JSON.parse(document.getElementById("system-chart-data").textContent);
  const chart = echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    color: ["#b3261e", "#6750a4", "#006a6a"],
    tooltip: {
      formatter: (p) => {
        const d = p.data || {};
        if (!d.code) return p.name;
        return `<b>${p.name}</b> (${d.code})<br>牵头区领导：${d.leader || "—"}<br>牵头部门：${d.department || "—"}`;
      },
    },
    series: [{
      type: "sunburst",
      radius: ["20%", "95%"],
      sort: null,
      data: data.children,
      label: { rotate: "radial", fontSize: 12 },
      levels: [{}, { r0: "20%", r: "45%", label: { rotate: "tangential", fontSize: 13 } }, { r0: "45%", r: "95%" }],
    }],
    graphic: [{ type: "text", left: "center", top: "middle",
      style: { text: data.name, fontSize: 13, fontWeight: "bold", fill: "#333", width: 90, overflow: "break", align: "center" } }],
  });
  chart.on("click", (p) => { if (p.data && p.data.url) window.location.href = p.data.url; });
  window.addEventListener("resize", () => chart.resize());
  el.dataset.ready = "true";
})();
