// The cockpit: every widget box fetches its own fragment with a time limit and draws its charts (ECharts);
// one slow or failing widget shows the retry message in its own box while the others render. In wall mode
// each box refreshes on an interval and the date rolls at midnight, without reloading the page (so the
// browser stays in full screen). Every chart element carries the link to the rows behind it.
(() => {
  const FAILED = "数据加载超时/失败，稍后重试";
  const COLOURS = { success: "#198754", primary: "#0d6efd", warning: "#e0a800", danger: "#dc3545", secondary: "#6c757d" };
  const CATEGORY = { strategic_cluster: "#b3261e", future_industry: "#6750a4", modern_service: "#006a6a" };
  const LIGHT = { red: "#c62828", yellow: "#f9a825", green: "#2e7d32", grey: "#9e9e9e" };
  const dark = () => document.body.classList.contains("cockpit-wall");
  const text = () => (dark() ? "#dee2e6" : "#212529");
  const fmt = (v, unit = "") =>
    v === null || v === undefined || v === "-"
      ? "—"
      : `${Number(v).toLocaleString("zh-CN", { maximumFractionDigits: 2 })}${unit ? ` ${unit}` : ""}`;
  const go = (url) => {
    if (url) window.location.href = url;
  };
  // A series' points as ECharts data items carrying the link behind them ("-" leaves a gap).
  const linked = (values, url) => values.map((v) => (v === null || v === undefined ? "-" : { value: v, url }));
  const clickable = (chart) => chart.on("click", (params) => go(params.data && params.data.url));

  const renderers = {
    gdp(chart, d) {
      const years = d.years.map((r) => String(r.year));
      const gdp = d.years.map((r) => ({ value: r.value, url: d.url, itemStyle: r.preliminary ? { opacity: 0.6 } : undefined }));
      const target = d.target ? [{ yAxis: d.target.value, label: { formatter: `${d.target.year} 年目标 ${fmt(d.target.value)}` } }] : [];
      chart.setOption({
        animation: false,
        textStyle: { color: text() },
        grid: { left: 52, right: 40, top: 40, bottom: 24 },
        legend: { top: 0, left: 0, textStyle: { color: text() } },
        tooltip: {
          trigger: "axis",
          formatter: (items) => {
            const row = d.years[items[0].dataIndex];
            return [`${row.year} 年${row.preliminary ? "（初步）" : ""}`, `GDP ${fmt(row.value, d.unit)}`, `增长 ${fmt(row.growth)}%`].join("<br>");
          },
        },
        xAxis: { type: "category", data: years },
        yAxis: [
          { type: "value", name: d.unit, scale: true, max: (e) => Math.max(e.max, d.target ? d.target.value : e.max) },
          { type: "value", name: "%", splitLine: { show: false } },
        ],
        series: [
          {
            name: "GDP",
            type: "bar",
            data: gdp,
            itemStyle: { color: "#b3261e" },
            markLine: { symbol: "none", silent: true, lineStyle: { color: "#dc3545" }, label: { position: "insideEndTop", fontSize: 10 }, data: target },
          },
          { name: "增速", type: "line", yAxisIndex: 1, data: linked(d.years.map((r) => r.growth), d.growth_url), itemStyle: { color: "#0d6efd" } },
        ],
      });
      clickable(chart);
    },

    fai(chart, d) {
      const series = [
        { name: `${d.year} 年累计`, type: "line", data: linked(d.actual, d.url), itemStyle: { color: "#b3261e" }, lineStyle: { width: 3 } },
        { name: `${d.year - 1} 年同期`, type: "line", data: linked(d.last_year, d.url), symbol: "none", itemStyle: { color: "#adb5bd" }, lineStyle: { type: "dashed" } },
      ];
      if (d.target) {
        series.push({
          name: "目标进度",
          type: "line",
          data: linked(d.pace, d.target.url),
          symbol: "none",
          itemStyle: { color: "#dc3545" },
          lineStyle: { type: "dotted" },
          markLine: { symbol: "none", silent: true, lineStyle: { color: "#dc3545" }, label: { formatter: `目标 ${fmt(d.target.value)}`, position: "insideEndTop", fontSize: 10 }, data: [{ yAxis: d.target.value }] },
        });
      }
      if (d.projects) {
        const p = d.projects;
        series.push(
          { name: "重点项目计划", type: "line", data: linked(p.planned, p.url), symbol: "none", itemStyle: { color: "#6c757d" }, lineStyle: { type: "dashed", width: 1 } },
          { name: "重点项目完成", type: "line", data: linked(p.actual, p.url), itemStyle: { color: "#0d6efd" } },
          { name: "重点项目预测", type: "line", data: linked(p.forecast, p.url), itemStyle: { color: "#0d6efd" }, lineStyle: { type: "dotted" } },
        );
      }
      chart.setOption({
        animation: false,
        textStyle: { color: text() },
        grid: { left: 52, right: 16, top: 48, bottom: 24 },
        legend: { top: 0, textStyle: { color: text() } },
        tooltip: { trigger: "axis", valueFormatter: (v) => fmt(v, d.unit) },
        xAxis: { type: "category", data: d.months },
        yAxis: { type: "value", name: d.unit },
        series,
      });
      clickable(chart);
    },

    structure(chart, d) {
      const tree = d.tree.map((group) => ({
        name: group.name,
        value: group.value,
        itemStyle: { color: CATEGORY[group.category] || "#495057" },
        children: group.children.map((item) => ({ ...item })),
      }));
      chart.setOption({
        animation: false,
        tooltip: {
          formatter: (info) => {
            const n = info.data || {};
            if (!n.code) return `${info.name}<br>${fmt(info.value, d.unit)}`;
            const firms = n.firms ? `<br>企业 ${n.firms} 家` : "";
            return `${n.name}<br>${fmt(n.value, d.unit)}（${n.basis}）${firms}<br>点击查看企业名单`;
          },
        },
        series: [
          {
            type: "treemap",
            roam: false,
            nodeClick: false,
            breadcrumb: { show: false },
            top: 4,
            left: 4,
            right: 4,
            bottom: 4,
            label: { show: true, formatter: (p) => `${p.name}\n${fmt(p.value)}`, fontSize: 11 },
            upperLabel: { show: true, height: 18, color: "#fff" },
            levels: [
              { itemStyle: { gapWidth: 3, borderWidth: 0 } },
              { itemStyle: { gapWidth: 1, borderWidth: 2, borderColorSaturation: 0.6 }, colorSaturation: [0.35, 0.6] },
            ],
            data: tree,
          },
        ],
      });
      clickable(chart);
    },

    path(chart, d, node) {
      const data = d.clusters[Number(node.dataset.index)].chart;
      const gap = (low, high) => low.map((l, i) => (l === null || high[i] === null ? "-" : high[i] - l));
      const dash = (values) => values.map((v) => (v === null ? "-" : v));
      const band = (name, stack, low, high, opacity) => [
        { name: `${name}下限`, type: "line", stack, data: dash(low), symbol: "none", lineStyle: { opacity: 0 }, silent: true, tooltip: { show: false } },
        { name, type: "line", stack, data: gap(low, high), symbol: "none", lineStyle: { opacity: 0 }, areaStyle: { color: "#6c757d", opacity }, silent: true, tooltip: { show: false } },
      ];
      chart.setOption({
        animation: false,
        textStyle: { color: text() },
        grid: { left: 40, right: 8, top: 10, bottom: 20 },
        tooltip: {
          trigger: "axis",
          formatter: (items) => {
            const year = items[0].axisValue;
            const i = data.years.indexOf(year);
            const lines = [`${year} 年`];
            if (data.actual[i] !== null) lines.push(`实际 ${fmt(data.actual[i], data.unit)}`);
            if (data.forecast[i] !== null && data.actual[i] === null) {
              lines.push(`预测 ${fmt(data.forecast[i], data.unit)}`);
              lines.push(`80% ${fmt(data.low80[i])}–${fmt(data.high80[i], data.unit)}`);
              lines.push(`95% ${fmt(data.low95[i])}–${fmt(data.high95[i], data.unit)}`);
            }
            if (year === String(data.target_year)) lines.push(`目标 ${fmt(data.target, data.unit)}`);
            return lines.join("<br>");
          },
        },
        xAxis: { type: "category", data: data.years, axisLabel: { fontSize: 9 } },
        yAxis: { type: "value", axisLabel: { fontSize: 9 }, splitNumber: 3, min: 0, max: (e) => Math.max(e.max, data.target) * 1.05 },
        series: [
          ...band("95% 区间", "b95", data.low95, data.high95, 0.15),
          ...band("80% 区间", "b80", data.low80, data.high80, 0.3),
          { name: "预测", type: "line", data: dash(data.forecast), symbol: "none", lineStyle: { type: "dashed", color: "#0d6efd" } },
          {
            name: "实际",
            type: "line",
            data: linked(data.actual, data.url),
            symbolSize: 4,
            itemStyle: { color: text() },
            lineStyle: { color: text() },
            markLine: { symbol: "none", silent: true, label: { formatter: "目标", fontSize: 9, position: "insideEndTop" }, lineStyle: { color: "#dc3545" }, data: [{ yAxis: data.target }] },
          },
        ],
      });
      // The whole small chart links to the figures behind it, not only its points.
      chart.on("click", () => go(data.url));
      chart.getZr().on("click", () => go(data.url));
    },

    gauge(chart, d, node) {
      const g = d.gauges[Number(node.dataset.index)];
      const colour = COLOURS[g.css] || COLOURS.secondary;
      const common = { type: "gauge", min: 0, max: g.max, startAngle: 210, endAngle: -30, radius: "92%", center: ["50%", "58%"] };
      chart.setOption({
        animation: false,
        tooltip: {
          formatter: () =>
            [g.name, `${g.year || "—"} 年 ${fmt(g.value)}%`, `${g.target_year} 年目标 ${fmt(g.target)}%`, `状态 ${g.status}`, "点击查看目标"].join("<br>"),
        },
        series: [
          {
            ...common,
            progress: { show: true, width: 10, itemStyle: { color: colour } },
            axisLine: { lineStyle: { width: 10 } },
            axisTick: { show: false },
            splitNumber: 3,
            splitLine: { length: 5, distance: 2 },
            axisLabel: { distance: 14, fontSize: 9, color: text() },
            pointer: { show: false },
            anchor: { show: false },
            title: { show: false },
            detail: { formatter: (v) => `${fmt(v)}%`, fontSize: 16, offsetCenter: [0, "15%"], color: text() },
            data: [{ value: g.value === null ? 0 : g.value, name: g.name, url: g.url }],
          },
          {
            ...common,
            axisLine: { show: false },
            axisTick: { show: false },
            splitLine: { show: false },
            axisLabel: { show: false },
            pointer: { show: true, icon: "rect", width: 3, length: "30%", offsetCenter: [0, "-72%"], itemStyle: { color: "#dc3545" } },
            title: { show: false },
            detail: { show: false },
            data: [{ value: g.target, name: "目标", url: g.url }],
          },
        ],
      });
      chart.on("click", () => go(g.url));
      chart.getZr().on("click", () => go(g.url));
    },

    lights(chart, d) {
      chart.setOption({
        animation: false,
        tooltip: { formatter: (p) => `${p.name} ${p.value} 个（${p.percent}%）<br>点击查看项目` },
        series: [
          {
            type: "pie",
            radius: ["40%", "72%"],
            label: { formatter: "{b}\n{c}", color: text() },
            data: d.lights.filter((l) => l.count > 0).map((l) => ({ name: l.label, value: l.count, url: l.url, colour: l.colour, itemStyle: { color: LIGHT[l.colour] } })),
          },
        ],
      });
      clickable(chart);
    },
  };

  const dispose = (box) =>
    box.querySelectorAll("[data-chart]").forEach((node) => {
      const chart = window.echarts && window.echarts.getInstanceByDom(node);
      if (chart) chart.dispose();
    });

  function draw(box) {
    const source = box.querySelector('[data-body] script[type="application/json"]');
    if (!source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    box.querySelectorAll("[data-chart]").forEach((node) => {
      const render = renderers[node.dataset.chart];
      if (!render) return;
      render(window.echarts.init(node), data, node);
      node.dataset.rendered = "true";
    });
  }

  function failed(box, root) {
    const body = box.querySelector("[data-body]");
    body.querySelectorAll("[data-testid=widget-failed]").forEach((n) => n.remove());
    const note = document.createElement("div");
    note.className = "cockpit-failed text-danger small mb-1";
    note.dataset.testid = "widget-failed";
    note.textContent = FAILED;
    if (root.dataset.wall === undefined) {
      const retry = document.createElement("button");
      retry.type = "button";
      retry.className = "btn btn-link btn-sm p-0 ms-2 align-baseline";
      retry.textContent = "重试";
      retry.addEventListener("click", () => load(box, root));
      note.append(retry);
    }
    body.classList.add("cockpit-stale");
    body.prepend(note);
    box.dataset.state = "failed";
  }

  function load(box, root) {
    if (box.controller) box.controller.abort(); // a refresh supersedes a request still running
    const controller = new AbortController();
    box.controller = controller;
    const timer = setTimeout(() => controller.abort(), Number(root.dataset.timeout || 15) * 1000);
    const url = new URL(box.dataset.url, window.location.href);
    if (root.dataset.asOf) url.searchParams.set("as_of", root.dataset.asOf);
    box.dataset.state = "loading";
    return fetch(url, { signal: controller.signal, credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" } })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.text();
      })
      .then((html) => {
        if (box.controller !== controller) return;
        const body = box.querySelector("[data-body]");
        dispose(box);
        body.classList.remove("cockpit-stale");
        body.innerHTML = html;
        draw(box);
        box.dataset.state = "ok";
        const stamp = box.querySelector("[data-stamp]");
        if (stamp) stamp.textContent = new Date().toLocaleTimeString("zh-CN", { hour12: false });
        const asOf = body.querySelector("[data-as-of]");
        const shown = document.querySelector("[data-wall-as-of]");
        if (asOf && shown) shown.textContent = asOf.dataset.asOf;
      })
      .catch(() => {
        if (box.controller === controller) failed(box, root);
      })
      .finally(() => {
        clearTimeout(timer);
        box.dataset.loads = String(Number(box.dataset.loads || 0) + 1);
      });
  }

  const today = () => {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    const week = "日一二三四五六"[now.getDay()];
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} 星期${week}`;
  };

  function wall(root, boxes) {
    const shown = document.querySelector("[data-wall-date]");
    const refresh = Math.max(2, Number(root.dataset.refresh || 300)) * 1000;
    const roll = () => {
      if (shown) shown.textContent = today();
      boxes.forEach((box) => load(box, root));
    };
    // Each widget on its own interval: a slow one never delays the others' refresh.
    boxes.forEach((box) =>
      setInterval(() => {
        if (shown && shown.textContent !== today()) roll(); // the machine slept through midnight
        else load(box, root);
      }, refresh),
    );
    const midnight = () => {
      const now = new Date();
      const next = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 0, 0, 1);
      setTimeout(() => {
        roll();
        midnight();
      }, next - now);
    };
    if (shown) shown.textContent = today();
    midnight();
    const full = document.querySelector("[data-fullscreen]");
    if (full)
      full.addEventListener("click", () => {
        if (document.fullscreenElement) document.exitFullscreen();
        else document.documentElement.requestFullscreen().catch(() => {});
      });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const root = document.querySelector("[data-cockpit]");
    if (!root) return;
    const boxes = Array.from(root.querySelectorAll("[data-widget]"));
    boxes.forEach((box) => load(box, root));
    if (root.dataset.wall !== undefined) wall(root, boxes);
    window.addEventListener("resize", () =>
      root.querySelectorAll("[data-chart]").forEach((node) => {
        const chart = window.echarts && window.echarts.getInstanceByDom(node);
        if (chart) chart.resize();
      }),
    );
  });
})();
