"""The monthly filing sheet (月度填报), under the rules of `services.filing_save`: the cumulative continues
the last submitted filing of the year, only drafts and returned filings change (a submitted or accepted one
is refused with the reason), and each change leaves the same revision. Each user within their projects."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils import timezone

from chanye.audit.services import audit_record
from chanye.core.tabular import clean_text
from chanye.projects import services
from chanye.projects.imports.checker import Change, Checker, Row
from chanye.projects.imports.sheets import MILESTONE_LABELS, SHEETS
from chanye.projects.imports.values import (
    DRAFT_WORDS,
    MILESTONE_WORDS,
    SUBMIT_WORDS,
    parse_month,
    plain,
    same,
    split_words,
)
from chanye.projects.models import Filing, FilingRevision, FilingStatus, MilestoneKind, Project

CENT = Decimal("0.01")


def may_import_filing(user, project: Project) -> bool:
    """The 发改局 (and the command line) for every project, a department for the projects it is responsible
    for, an enterprise for its own."""
    if user is None or user.can("projects.change"):
        return True
    if user.role == "enterprise_user":
        return (
            bool(user.enterprise_id) and user.enterprise_id == project.owner_id and user.can("projects.file")
        )
    if user.role == "department_officer":
        return user.department_id is not None and user.department_id == project.department_id
    return False


class FilingChecker(Checker):
    sheet = SHEETS["filings"]
    key_fields = ("code", "period")

    def describe_key(self) -> str:
        return "项目编号和月份"

    def parse(self, number: int, cells: list[str]) -> Row:
        row = super().parse(number, cells)
        if not self.has("period"):
            row.values["period"] = self.period
        return row

    def parse_cell(self, name: str, raw: str) -> Any:
        if name == "period":
            period = parse_month(raw)
            if period is None:
                raise ValueError("不能为空（格式 YYYY-MM）")
            if period > timezone.localdate().replace(day=1):
                raise ValueError(f"{period:%Y-%m} 还没到，不能填报未来月份")
            return period
        if name == "milestones":
            kinds = []
            for part in split_words(clean_text(raw)):
                kind = MILESTONE_WORDS.get(part)
                if kind is None:
                    raise ValueError(f"未知节点「{part}」，节点应为 {'、'.join(MILESTONE_LABELS.values())}")
                kinds.append(kind)
            return sorted(set(kinds), key=list(MilestoneKind.values).index)
        if name == "status":
            text = clean_text(raw).replace(" ", "")
            if text in SUBMIT_WORDS:
                return "submit"
            if text in DRAFT_WORDS:
                return "draft"
            raise ValueError("报送状态应为 报送 或 草稿（审核与退回请在月报审核页办理）")
        return super().parse_cell(name, raw)

    def blank(self, row: Row) -> bool:
        """Nothing to file on this row (the monthly table lists projects with no report yet)."""
        return all(not row.values.get(name) for name in services.FILED_FIELDS if name in self.index)

    def plan(self, rows: list[Row]) -> list[Change]:
        existing = self.projects((row.values["code"] for row in rows), lock=False)
        years = {row.values["period"].year for row in rows}
        filings = {
            (filing.project_id, filing.period): filing
            for filing in Filing.objects.select_for_update().filter(
                project__in=list(existing.values()), period__year__in=years
            )
        }
        # What counts as "last month's" filing once the file is written: the database, with the file over it.
        standing: dict[int, dict[date, tuple[str, Decimal]]] = {}
        for (pk, when), filing in filings.items():
            standing.setdefault(pk, {})[when] = (filing.status, filing.cumulative)
        changes = []
        for row in sorted(rows, key=lambda r: (r.values["code"], r.values["period"], r.number)):
            project = existing.get(row.values["code"])
            if project is None or not may_import_filing(self.by, project):
                self.fail(
                    row,
                    "code",
                    "没有这个项目编号，或该项目不在您可导入月报的范围内（企业只能导入本单位的项目，"
                    "部门只能导入本部门负责的项目）",
                )
                continue
            change = self._filing(row, project, filings, standing)
            if change is not None:
                changes.append(change)
        return sorted(changes, key=lambda change: change.row.number)

    def _filing(self, row: Row, project: Project, filings, standing) -> Change | None:
        period = row.values["period"]
        filing = filings.get((project.pk, period))
        earlier = max(
            (
                (when, cumulative)
                for when, (status, cumulative) in standing.get(project.pk, {}).items()
                if when.year == period.year and when < period and status != FilingStatus.DRAFT
            ),
            default=(None, Decimal(0)),
        )[1]
        investment, cumulative = row.values.get("investment"), row.values.get("cumulative")
        if investment is None and cumulative is None:
            self.fail(
                row,
                "investment" if self.has("investment") else "cumulative",
                "本月完成投资和本年累计完成投资至少填写一项",
            )
            return None
        if cumulative is None:
            assert investment is not None
            cumulative = earlier + investment
        elif investment is None:
            investment = cumulative - earlier
            if investment < 0:
                self.fail(
                    row,
                    "cumulative",
                    f"本年累计 {plain(cumulative)} 万元小于上月累计 {plain(earlier)} 万元，请核对",
                )
                return None
        elif abs(cumulative - (earlier + investment)) > CENT:
            self.fail(
                row,
                "cumulative",
                f"本年累计应等于上月累计 {plain(earlier)} 加本月完成 {plain(investment)}"
                f"（即 {plain(earlier + investment)} 万元），请核对",
            )
            return None
        values: dict[str, Any] = {"investment": investment, "cumulative": cumulative}
        for name in ("milestones", "narrative", "blockers"):
            if self.has(name):
                values[name] = row.values.get(name) or ([] if name == "milestones" else "")
            elif filing is None:
                values[name] = [] if name == "milestones" else ""
        submit = row.values.get("status", "submit") != "draft"
        if filing is None:
            status = FilingStatus.SUBMITTED if submit else FilingStatus.DRAFT
            standing.setdefault(project.pk, {})[period] = (status, cumulative)
            return Change(row, "created", None, values, extra={"project": project, "submit": submit})
        before = {name: getattr(filing, name) for name in values}
        diff = {name: value for name, value in values.items() if not same(before[name], value)}
        settled = filing.status in (FilingStatus.SUBMITTED, FilingStatus.ACCEPTED)
        if not diff and (settled or not submit):
            return Change(row, "unchanged", filing)
        if settled:
            reason = (
                "该月报已审核通过，不能通过导入覆盖；如需更正，请联系责任部门退回后再导入"
                if filing.status == FilingStatus.ACCEPTED
                else "该月报已报送、等待审核，不能再修改；如需更正，请联系责任部门退回后再导入"
            )
            self.fail(row, next(name for name in diff), reason)
            return None
        status = FilingStatus.SUBMITTED if submit else filing.status
        standing.setdefault(project.pk, {})[period] = (status, cumulative)
        return Change(
            row,
            "updated",
            filing,
            diff,
            {k: before[k] for k in diff},
            extra={"project": project, "submit": submit},
        )

    def write(self, changes: list[Change]) -> None:
        # Month by month, so that each filing's revision follows the one of the month before.
        for change in sorted(changes, key=lambda c: (c.row.values["code"], c.row.values["period"])):
            if change.action == "unchanged":
                continue
            period = change.row.values["period"]
            if change.action == "created":
                filing = Filing(
                    project=change.extra["project"], period=period, due_on=services.due_on(period)
                )
                before: dict[str, Any] = {}
            else:
                filing = change.target
                before = {name: plain(value) for name, value in change.before.items()}
                filing.version = F("version") + 1
            for name, value in change.values.items():
                setattr(filing, name, value)
            action = "save"
            if change.extra["submit"]:
                action = "submit"
                filing.status = FilingStatus.SUBMITTED
                filing.submitted_at = timezone.now()
                filing.submitted_by = self.user
                filing.return_reason = ""
            filing.full_clean(exclude=["version", "project", "submitted_by", "reviewed_by"])
            filing.save()
            filing.refresh_from_db()
            after = {name: plain(getattr(filing, name)) for name in change.values}
            diff = {
                name: [before.get(name), after[name]] for name in after if before.get(name) != after[name]
            }
            note = f"导入 {self.source} 第 {change.row.number} 行"
            FilingRevision.objects.create(
                filing=filing,
                by=self.user,
                action=action,
                status=filing.status,
                changes=diff,
                note=note[:500],
            )
            audit_record(
                actor=self.by,
                action=f"filing.{action}",
                obj=filing,
                after={
                    "project": filing.project.code,
                    "period": filing.period.isoformat(),
                    "status": filing.status,
                    "changes": diff,
                    "note": note,
                },
            )
