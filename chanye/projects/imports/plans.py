"""The annual plan sheet (年度计划): each project's plan for a year — the planned investment, what was done
in the years before, the months as amounts or shares — and the planned dates of its milestones."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from chanye.core.tabular import clean_text, column_letter, parse_amount, parse_decimal
from chanye.projects import services
from chanye.projects.imports.checker import Change, Checker, Row
from chanye.projects.imports.records import over_total, plan_write, record, shown
from chanye.projects.imports.sheets import MILESTONE_LABELS, MONTH_FIELDS, SHEETS
from chanye.projects.imports.values import same, to_money
from chanye.projects.models import AnnualPlan, Milestone


class PlanChecker(Checker):
    sheet = SHEETS["plans"]
    key_fields = ("code", "year")

    def describe_key(self) -> str:
        return "项目编号和年度"

    def parse_cell(self, name: str, raw: str) -> Any:
        if name in MONTH_FIELDS:
            return clean_text(raw).replace(" ", "")  # read as amounts or shares with the other months
        return super().parse_cell(name, raw)

    def _months_column(self) -> str:
        letters = [column_letter(self.index[name]) for name in MONTH_FIELDS if name in self.index]
        return f"1–12月（{letters[0]}–{letters[-1]} 列）" if letters else "1–12月"

    def curve(self, row: Row, planned: Decimal | None) -> tuple[list[str] | None, Decimal | None]:
        """The 12 months as a cumulative curve (None: the file has no months for this row) and the planned
        investment (their sum when the plan column is empty). The months hold amounts (万元 unless the header
        or the cell says otherwise), monthly percentages adding up to 100%, or cumulative shares (25% or
        0.25, not decreasing, 100% or 1 in December) — the last checked by the light rules' own check."""
        cells = [row.values.get(name) or "" for name in MONTH_FIELDS]
        if not any(cells):
            return None, planned
        column = self._months_column()
        shown = "、".join(cell or "空" for cell in cells)
        try:
            if any("%" in cell for cell in cells):
                percents = [_percent(cell) for cell in cells]
                rising = all(a <= b for a, b in zip(percents, percents[1:], strict=False))
                if percents[-1] == 100 and (rising or sum(percents) != 100):  # cumulative, December 100%
                    return services.clean_curve([value / 100 for value in percents]), planned
                return services.curve_from_monthly(
                    percents, unit="share", planned=planned or Decimal(0)
                ), planned
            amounts = [
                to_money(parse_amount(cell, self.units.get(name))) or Decimal(0)
                for name, cell in zip(MONTH_FIELDS, cells, strict=True)
            ]
        except ValueError as error:
            self.fail(row, "", str(error), shown, column)
            return None, planned
        except ValidationError as error:
            self.fail(row, "", "；".join(error.messages), shown, column)
            return None, planned
        total = sum(amounts, Decimal(0))
        planned = total if planned is None else planned
        if total == 0:
            return [], planned
        try:
            return services.curve_from_monthly(amounts, unit="amount", planned=planned), planned
        except ValidationError as error:
            refused = "；".join(error.messages)
        if all(amount <= 1 for amount in amounts):  # cumulative shares written as decimals (0.25 … 1)?
            try:
                return services.clean_curve([parse_decimal(cell) or Decimal(0) for cell in cells]), planned
            except (ValueError, ValidationError):
                pass
        self.fail(
            row, "", f"{refused}；如填的是各月末累计占比，应逐月不减、12月为 1（或 100%）", shown, column
        )
        return None, planned

    def plan(self, rows: list[Row]) -> list[Change]:
        existing = self.projects((row.values["code"] for row in rows), lock=True)
        plans = {
            (plan.project_id, plan.year): plan
            for plan in AnnualPlan.objects.select_for_update().filter(project__in=list(existing.values()))
        }
        milestones = {
            (milestone.project_id, milestone.kind): milestone
            for milestone in Milestone.objects.select_for_update().filter(project__in=list(existing.values()))
        }
        changes = []
        claimed: dict[tuple[int, str], tuple[int, date]] = {}
        for row in rows:
            project = existing.get(row.values["code"])
            if project is None:
                self.fail(row, "code", "项目库中没有这个项目编号：请先导入项目库或核对编号")
                continue
            year = row.values.get("year")
            if year is None:
                self.fail(row, "year", "不能为空")
                continue
            plan = plans.get((project.pk, year))
            curve, planned = self.curve(row, row.values.get("planned_investment"))
            if planned is None:
                self.fail(row, "planned_investment", "不能为空（或填写 1–12 月的计划投资）")
            completed = row.values.get("completed_before")
            if completed is None:
                completed = plan.completed_before if plan else Decimal(0)
            if planned is not None:
                reason = over_total(completed, planned, project.total_investment)
                if reason:
                    self.fail(row, "planned_investment", reason)
            dates = {
                name.removeprefix("ms_"): row.values[name]
                for name in self.index
                if name.startswith("ms_") and row.values.get(name) is not None
            }
            for kind, on in dates.items():
                earlier = claimed.setdefault((project.pk, kind), (row.number, on))
                if earlier[1] != on:
                    self.fail(
                        row,
                        f"ms_{kind}",
                        f"与第 {earlier[0]} 行给同一项目的{MILESTONE_LABELS[kind]}计划时间 "
                        f"{earlier[1]:%Y-%m-%d} 不同（每个节点只有一个计划时间）",
                    )
            if row.number in self.rejected:
                continue
            values: dict[str, Any] = {"planned_investment": planned, "completed_before": completed}
            if curve is not None:
                values["curve"] = curve
            elif plan is None:
                values["curve"] = []
            moved = {
                kind: on
                for kind, on in dates.items()
                if (project.pk, kind) not in milestones or milestones[(project.pk, kind)].planned_on != on
            }
            extra = {"project": project, "year": year, "milestones": moved, "known": milestones}
            if plan is None:
                changes.append(Change(row, "created", None, values, extra=extra))
                continue
            before = {name: getattr(plan, name) for name in values}
            diff = {
                name: value
                for name, value in values.items()
                if not (_same_curve(before[name], value) if name == "curve" else same(before[name], value))
            }
            action = "updated" if diff or moved else "unchanged"
            changes.append(Change(row, action, plan, diff, {k: before[k] for k in diff}, extra))
        return changes

    def write(self, changes: list[Change]) -> None:
        for change in changes:
            if change.action == "unchanged":
                continue
            project = change.extra["project"]
            if change.values:
                plan_write(self, change.target, change.values, change.row, project, change.extra["year"])
            if not change.extra["milestones"]:
                continue
            before, after = {}, {}
            for kind, on in change.extra["milestones"].items():
                label = f"{MILESTONE_LABELS[kind]}计划"
                milestone = change.extra["known"].get((project.pk, kind))
                before[label] = shown(milestone.planned_on) if milestone else None
                if milestone is None:
                    milestone = Milestone.objects.create(project=project, kind=kind, planned_on=on)
                    change.extra["known"][(project.pk, kind)] = milestone
                else:
                    milestone.planned_on = on
                    milestone.save(update_fields=["planned_on"])
                after[label] = shown(on)
            record(self, project, change.row, "milestones", "节点", before, after)


def _percent(cell: str) -> Decimal:
    text = clean_text(cell).replace(" ", "").removesuffix("%")
    if not text:
        return Decimal(0)
    number = parse_decimal(text)
    assert number is not None
    return number


def _same_curve(before: list | None, after: list | None) -> bool:
    if not before or not after:
        return not before and not after
    return len(before) == len(after) and all(
        Decimal(str(a)) == Decimal(str(b)) for a, b in zip(before, after, strict=True)
    )
