// The year's plan panel: the live total of the 12 months against the year's plan, and the cumulative share
// (时序进度) each month reaches; switching between 万元 and % converts what is typed.
(function () {
  function num(text) {
    var value = parseFloat(String(text || "").replace(/[,，%]/g, ""));
    return isNaN(value) ? 0 : value;
  }
  function fmt(value, digits) {
    return value.toLocaleString("zh-CN", { maximumFractionDigits: digits });
  }
  function setup(form) {
    var months = [];
    for (var m = 1; m <= 12; m++) months.push(form.querySelector("[name=m" + m + "]"));
    var planned = form.querySelector("[name=planned_investment]");
    var unit = form.querySelector("[name=unit]");
    var total = form.querySelector("[data-testid=plan-total]");
    var shares = form.querySelectorAll("[data-share]");
    var lastUnit = unit.value;
    function filled() {
      return months.some(function (input) { return input.value.trim() !== ""; });
    }
    function update() {
      var plan = num(planned.value);
      var values = months.map(function (input) { return num(input.value || (filled() ? "" : input.placeholder)); });
      var sum = values.reduce(function (a, b) { return a + b; }, 0);
      var target = unit.value === "share" ? 100 : plan;
      var suffix = unit.value === "share" ? "%" : " 万元";
      var text = "合计 " + fmt(sum, 4) + suffix;
      var ok = Math.abs(sum - target) <= 0.01;
      if (!filled()) {
        text = "未填写月度计划：按月平均（每月 " + fmt(plan / 12, 2) + " 万元）";
        ok = true;
      } else if (!ok) {
        text += "，与" + (unit.value === "share" ? "100%" : "年度计划 " + fmt(plan, 4) + " 万元") + "相差 " + fmt(sum - target, 4) + suffix;
      }
      total.textContent = text;
      total.classList.toggle("text-danger", !ok);
      total.classList.toggle("text-success", ok && filled());
      var running = 0;
      values.forEach(function (value, i) {
        running += value;
        var share = filled() ? (sum ? running / sum : 0) : (i + 1) / 12;
        if (shares[i]) shares[i].textContent = (share * 100).toFixed(1) + "%";
      });
    }
    unit.addEventListener("change", function () {
      var plan = num(planned.value);
      if (filled() && plan && unit.value !== lastUnit) {
        months.forEach(function (input) {
          if (input.value.trim() === "") return;
          var value = num(input.value);
          input.value = unit.value === "share" ? +(value * 100 / plan).toFixed(4) : +(value * plan / 100).toFixed(4);
        });
      }
      lastUnit = unit.value;
      update();
    });
    var even = form.querySelector("[data-testid=plan-even]");
    if (even) even.addEventListener("click", function () {
      months.forEach(function (input) { input.value = ""; });
      update();
    });
    form.addEventListener("input", update);
    update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-plan-form]").forEach(setup);
  });
})();
