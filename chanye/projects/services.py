"""Writes of the key-project module: monthly filings (draft → submitted → returned / accepted), with a
version check on every save, a revision for every change and an audit event in the same transaction."""

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from chanye.audit.services import audit_record
from chanye.core.errors import StaleEdit  # noqa: F401 - raised here, caught as services.StaleEdit
from chanye.projects.models import (
    AnnualPlan,
    Filing,
    FilingRevision,
    FilingStatus,
    Milestone,
    MilestoneKind,
    Project,
    Stage,
    StageChange,
    StageChangeBatch,
)

DEADLINE_DAY = 5  # a month's filing is due on the 5th of the next month
ACTIVE_STAGES = (Stage.NEW, Stage.CONTINUING)
FILED_FIELDS = ("investment", "cumulative", "milestones", "narrative", "blockers")


def period_of(year: int, month: int) -> date:
    if not 1 <= month <= 12:
        raise ValidationError({"period": f"月份应为 1–12，而不是 {month}"})
    return date(year, month, 1)


def parse_period(text: str) -> date:
    """'2025-03' (or '2025-3', '202503') → 2025-03-01; a clear message otherwise."""
    cleaned = text.strip().replace("年", "-").replace("月", "").replace("/", "-")
    try:
        if "-" in cleaned:
            year, month = (int(part) for part in cleaned.split("-")[:2])
        else:
            year, month = int(cleaned[:4]), int(cleaned[4:6])
    except ValueError:
        raise ValidationError({"period": f"月份格式应为 YYYY-MM（如 2025-03），而不是「{text}」"}) from None
    return period_of(year, month)


def due_on(period: date) -> date:
    """The filing deadline: the DEADLINE_DAY of the month after the period."""
    days = calendar.monthrange(period.year, period.month)[1]
    return period + timedelta(days=days + DEADLINE_DAY - 1)


def plan_share(plan: AnnualPlan | None, month: int) -> Decimal:
    """The plan curve's cumulative share at the end of `month` (pro rata without a 12-month curve)."""
    from chanye.projects.lights import schedule_share

    curve = [Decimal(str(value)) for value in (plan.curve if plan else None) or []]
    return schedule_share(curve if len(curve) == 12 else None, month)


def _previous_filing(project: Project, period: date) -> Filing | None:
    """The latest filing of the same year before `period` that was submitted (drafts do not count)."""
    return (
        Filing.objects.filter(project=project, period__lt=period, period__year=period.year)
        .exclude(status=FilingStatus.DRAFT)
        .order_by("-period")
        .first()
    )


def filing_prefill(*, project: Project, period: date) -> dict[str, Any]:
    """What an unchanged project would file: this month's planned investment, the cumulative continued from
    last month's filing, last month's narrative and open problems."""
    plan = project.plans.filter(year=period.year).first()
    planned = Decimal(0)
    if plan is not None:
        before = plan_share(plan, period.month - 1) if period.month > 1 else Decimal(0)
        planned = (plan.planned_investment * (plan_share(plan, period.month) - before)).quantize(
            Decimal("0.01")
        )
    previous = _previous_filing(project, period)
    earlier = previous.cumulative if previous else Decimal(0)
    return {
        "investment": planned,
        "cumulative": earlier + planned,
        "milestones": [],
        "narrative": previous.narrative if previous else "",
        "blockers": previous.blockers if previous else "",
    }


def can_file(user, project: Project) -> bool:
    if not user.can("projects.file"):
        return False
    return user.role != "enterprise_user" or (user.enterprise_id and user.enterprise_id == project.owner_id)


def can_review(user, project: Project) -> bool:
    if not user.can("projects.review"):
        return False
    return user.role != "department_officer" or (
        user.department_id is not None and user.department_id == project.department_id
    )


def _lock(filing: Filing, expected_version: int | None) -> Filing:
    locked = Filing.objects.select_for_update().get(pk=filing.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            f"该月报已被他人修改（当前版本 {locked.version}，你打开的是版本 {expected_version}），"
            "你的修改未保存，请刷新后再改"
        )
    return locked


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def _clean_values(values: dict[str, Any], earlier: Decimal) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name in ("investment", "cumulative"):
        if name not in values:
            continue
        try:
            amount = Decimal(str(values[name]).strip().replace(",", ""))
        except ArithmeticError:
            errors[name] = f"不是金额：{values[name]}"
            continue
        if amount < 0:
            errors[name] = "金额不能为负数"
        cleaned[name] = amount
    if "milestones" in values:
        kinds = list(values["milestones"] or [])
        unknown = [kind for kind in kinds if kind not in MilestoneKind.values]
        if unknown:
            errors["milestones"] = f"未知节点：{'、'.join(map(str, unknown))}"
        cleaned["milestones"] = (
            sorted(set(kinds), key=list(MilestoneKind.values).index) if not unknown else kinds
        )
    for name in ("narrative", "blockers"):
        if name in values:
            cleaned[name] = str(values[name] or "").strip()[:4000]
    investment, cumulative = cleaned.get("investment"), cleaned.get("cumulative")
    if (
        investment is not None
        and cumulative is not None
        and not errors
        and abs(cumulative - (earlier + investment)) > Decimal("0.01")
    ):
        errors["cumulative"] = (
            f"本年累计应等于上月累计 {_plain(earlier)} 加本月完成 {_plain(investment)}"
            f"（即 {_plain(earlier + investment)} 万元），请核对"
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def filing_save(
    *,
    project: Project,
    period: date,
    values: dict[str, Any],
    by,
    expected_version: int | None = None,
    submit: bool = False,
) -> Filing:
    """Save (and optionally submit) a project's filing for a month. Only drafts and returned filings can
    be changed by the filer; a stale `expected_version` is refused (`StaleEdit`)."""
    if not can_file(by, project):
        raise PermissionDenied("只有项目业主单位可以填报本项目月报")
    filing = Filing.objects.filter(project=project, period=period).first()
    creating = filing is None
    if filing is None:
        filing = Filing(
            project=project,
            period=period,
            due_on=due_on(period),
            **filing_prefill(project=project, period=period),
        )
        before: dict[str, Any] = {}
    else:
        filing = _lock(filing, expected_version)
        before = {name: _plain(getattr(filing, name)) for name in FILED_FIELDS}
        if filing.status not in (FilingStatus.DRAFT, FilingStatus.RETURNED):
            raise ValidationError(
                {"status": f"月报{filing.get_status_display()}，不能再修改；如需更正，请联系责任部门退回"}
            )
    previous = _previous_filing(project, period)
    merged = {name: getattr(filing, name) for name in FILED_FIELDS} | values
    cleaned = _clean_values(merged, previous.cumulative if previous else Decimal(0))
    for name, value in cleaned.items():
        setattr(filing, name, value)
    action = "save"
    if submit:
        action = "submit"
        filing.status = FilingStatus.SUBMITTED
        filing.submitted_at = timezone.now()
        filing.submitted_by = by
        filing.return_reason = ""
    if not creating:
        filing.version = F("version") + 1
    filing.full_clean(exclude=["version", "project", "submitted_by", "reviewed_by"])
    filing.save()
    filing.refresh_from_db()
    after = {name: _plain(getattr(filing, name)) for name in FILED_FIELDS}
    diff = {name: [before.get(name), after[name]] for name in after if before.get(name) != after[name]}
    _revise(filing, by=by, action=action, changes=diff)
    return filing


@transaction.atomic
def filing_return(*, filing: Filing, reason: str, by, expected_version: int | None = None) -> Filing:
    """The responsible department sends a submitted (or accepted, to correct it) filing back with a reason."""
    if not can_review(by, filing.project):
        raise PermissionDenied("只有项目责任部门可以退回月报")
    if not reason.strip():
        raise ValidationError({"return_reason": "请写明退回原因，企业将据此修改"})
    filing = _lock(filing, expected_version)
    if filing.status not in (FilingStatus.SUBMITTED, FilingStatus.ACCEPTED):
        raise ValidationError({"status": f"月报{filing.get_status_display()}，不能退回"})
    filing.status = FilingStatus.RETURNED
    filing.return_reason = reason.strip()[:500]
    filing.reviewed_at, filing.reviewed_by = timezone.now(), by
    filing.version = F("version") + 1
    filing.save()
    filing.refresh_from_db()
    _revise(filing, by=by, action="return", note=filing.return_reason)
    return filing


@transaction.atomic
def filing_accept(*, filing: Filing, by, expected_version: int | None = None) -> Filing:
    """The responsible department accepts a submitted filing; the milestones it reports become actual."""
    if not can_review(by, filing.project):
        raise PermissionDenied("只有项目责任部门可以审核月报")
    filing = _lock(filing, expected_version)
    if filing.status != FilingStatus.SUBMITTED:
        raise ValidationError({"status": f"月报{filing.get_status_display()}，只有已报送的月报可以审核"})
    filing.status = FilingStatus.ACCEPTED
    filing.reviewed_at, filing.reviewed_by = timezone.now(), by
    filing.version = F("version") + 1
    filing.save()
    filing.refresh_from_db()
    reached = _month_end(filing.period)
    project = filing.project
    for kind in filing.milestones:
        milestone, _created = Milestone.objects.get_or_create(project=project, kind=kind)
        if milestone.actual_on is None:
            milestone.actual_on = reached
            milestone.save(update_fields=["actual_on"])
        if kind == MilestoneKind.START and project.actual_start is None:
            Project.objects.filter(pk=project.pk).update(actual_start=reached)
    _revise(filing, by=by, action="accept")
    return filing


def _month_end(period: date) -> date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def _revise(filing: Filing, *, by, action: str, changes: dict | None = None, note: str = "") -> None:
    FilingRevision.objects.create(
        filing=filing, by=by, action=action, status=filing.status, changes=changes or {}, note=note
    )
    audit_record(
        actor=by,
        action=f"filing.{action}",
        obj=filing,
        after={"project": filing.project.code, "period": filing.period.isoformat(), "status": filing.status}
        | ({"changes": changes} if changes else {})
        | ({"note": note} if note else {}),
    )


def demo_projects() -> int:
    """The synthetic key-project library (chanye.projects.demo) with plans, milestones, bonds and a year of
    filings; run by `chanye demo`. Returns how many projects it created (0 when they exist)."""
    from django.contrib.auth import get_user_model

    from chanye.enterprises.models import Enterprise
    from chanye.enterprises.services import current_system
    from chanye.organizations.models import Responsibility, Street
    from chanye.projects import demo
    from chanye.projects.models import Bond, BondSpend, LightRules

    if Project.objects.filter(synthetic=True).exists():
        return 0
    system = current_system()
    industries = list(system.industries.filter(active=True).order_by("position", "code")) if system else []
    streets = list(Street.objects.order_by("code"))
    owners = list(
        Enterprise.objects.filter(synthetic=True).order_by("-revenue").values_list("id", flat=True)[:400]
    )
    if not (industries and streets and owners):
        return 0
    duty = {
        r.industry_id: r
        for r in Responsibility.objects.filter(valid_to__isnull=True, industry__in=industries)
    }
    demo_firm = get_user_model().objects.filter(role="enterprise_user").exclude(enterprise=None).first()
    generated = demo.generate(len(industries), len(streets), len(owners))
    with transaction.atomic():
        LightRules.objects.get_or_create(pk=1, defaults={"rules": {}, "note": "默认规则"})
        for number, item in enumerate(generated):
            industry = industries[item.industry_index]
            responsibility = duty.get(industry.pk)
            owner_id = owners[item.owner_index]
            if demo_firm is not None and item.stage == "continuing" and number < 40:
                owner_id = demo_firm.enterprise_id  # the demo enterprise user files for a few projects
            project = Project.objects.create(
                code=item.code,
                name=item.name,
                owner_id=owner_id,
                industry=industry,
                street=streets[item.street_index],
                category=item.category,
                stage=item.stage,
                total_investment=item.total_investment,
                planned_start=item.planned_start,
                planned_end=item.planned_end,
                actual_start=item.actual_start,
                leader=responsibility.leader if responsibility else None,
                department=responsibility.lead_department if responsibility else None,
                funding="企业自筹" + ("、专项债" if item.bond else ""),
                location=f"天河区{streets[item.street_index].name}",
                synthetic=True,
            )
            if item.stage == "reserve":
                continue
            AnnualPlan.objects.create(
                project=project,
                year=demo.YEAR,
                planned_investment=item.year_plan,
                completed_before=item.completed_before,
                curve=demo.curve(item.planned_start.month if item.planned_start.year == demo.YEAR else 1),
            )
            Milestone.objects.create(
                project=project,
                kind=MilestoneKind.START,
                planned_on=item.planned_start,
                actual_on=item.actual_start,
            )
            if item.bond:
                bond = Bond.objects.create(
                    project=project,
                    batch=f"{demo.YEAR}年第一批",
                    amount=item.bond,
                    issued_on=date(demo.YEAR, 3, 15),
                )
                for month in range(4, demo.LAST_MONTH + 1):
                    spent = (item.bond / 6 * Decimal(str(round(item.pace, 3)))).quantize(Decimal("0.01"))
                    BondSpend.objects.create(bond=bond, period=date(demo.YEAR, month, 1), amount=spent)
            cumulative = Decimal(0)
            for month, amount in demo.monthly(item):
                cumulative += amount
                period = date(demo.YEAR, month, 1)
                deadline = due_on(period)
                late = month in item.late_months
                last = month == demo.LAST_MONTH
                status = FilingStatus.ACCEPTED
                if last:
                    status = (FilingStatus.SUBMITTED, FilingStatus.DRAFT, FilingStatus.ACCEPTED)[number % 3]
                if last and number % 19 == 0:
                    status = FilingStatus.RETURNED
                submitted = None
                if status != FilingStatus.DRAFT:
                    day = deadline + timedelta(days=3) if late else deadline - timedelta(days=1 + number % 4)
                    submitted = timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))
                Filing.objects.create(
                    project=project,
                    period=period,
                    investment=amount,
                    cumulative=cumulative,
                    narrative="按计划推进" if item.pace >= 0.9 else "进度滞后，正在协调",
                    blockers="" if item.pace >= 0.6 else "用地手续未完成",
                    status=status,
                    return_reason="本月完成投资与财务凭证不符，请核对"
                    if status == FilingStatus.RETURNED
                    else "",
                    due_on=deadline,
                    submitted_at=submitted,
                )
    return len(generated)


def _proposal(
    project: Project, year: int, milestones: dict[str, date], next_plan: bool
) -> tuple[str, str] | None:
    """The stage a project should enter after `year`, with the reason, or None when it stays."""
    end = date(year, 12, 31)
    finished = milestones.get(MilestoneKind.COMPLETION) or (
        project.actual_end if project.actual_end else None
    )
    if project.stage == Stage.COMPLETED:
        if milestones.get(MilestoneKind.OPERATION, date.max) <= end:
            return Stage.OPERATING, f"{milestones[MilestoneKind.OPERATION]:%Y-%m-%d} 投产"
        return None
    if project.stage in (Stage.NEW, Stage.CONTINUING):
        if finished and finished <= end:
            return Stage.COMPLETED, f"{finished:%Y-%m-%d} 竣工"
        if project.stage == Stage.NEW and project.actual_start and project.actual_start <= end:
            return Stage.CONTINUING, f"{project.actual_start:%Y-%m-%d} 已开工，{year + 1} 年转为续建"
        return None
    if project.stage == Stage.RESERVE and (
        next_plan or (project.planned_start is not None and project.planned_start.year == year + 1)
    ):
        return Stage.NEW, f"列入 {year + 1} 年计划，计划 {year + 1} 年开工"
    return None


@transaction.atomic
def stage_changes_propose(*, year: int, by) -> StageChangeBatch:
    """Propose the year-end stage of every project from its record: started → 续建, finished → 竣工, put into
    production → 投产, reserve with next year's plan → 新开工. Nothing changes until the batch is applied."""
    if not by.can("projects.change"):
        raise PermissionDenied("只有发改局管理员可以调整项目阶段")
    batch = StageChangeBatch.objects.create(year=year, created_by=by)
    reached: dict[int, dict[str, date]] = {}
    for project_id, kind, actual in Milestone.objects.filter(actual_on__isnull=False).values_list(
        "project_id", "kind", "actual_on"
    ):
        if actual is not None:
            reached.setdefault(project_id, {})[kind] = actual
    planned_next = set(AnnualPlan.objects.filter(year=year + 1).values_list("project_id", flat=True))
    changes = []
    for project in Project.objects.order_by("code"):
        proposal = _proposal(project, year, reached.get(project.pk, {}), project.pk in planned_next)
        if proposal is not None:
            changes.append(
                StageChange(
                    batch=batch,
                    project=project,
                    from_stage=project.stage,
                    to_stage=proposal[0],
                    reason=proposal[1],
                )
            )
    StageChange.objects.bulk_create(changes)
    audit_record(actor=by, action="stages.propose", obj=batch, after={"year": year, "changes": len(changes)})
    return batch


@transaction.atomic
def stage_changes_apply(*, batch, accepted: set[int], by) -> int:
    """Apply the reviewed batch: the accepted changes move their projects (unless a project's stage moved
    since the proposal); returns how many projects moved."""
    if not by.can("projects.change"):
        raise PermissionDenied("只有发改局管理员可以调整项目阶段")
    batch = StageChangeBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.applied_at is not None:
        raise ValidationError(
            {"batch": f"这批阶段调整已于 {timezone.localtime(batch.applied_at):%Y-%m-%d %H:%M} 执行"}
        )
    moved = 0
    for change in batch.changes.select_related("project"):
        change.accepted = change.pk in accepted
        change.save(update_fields=["accepted"])
        if change.accepted and change.project.stage == change.from_stage:
            Project.objects.filter(pk=change.project_id).update(
                stage=change.to_stage, version=F("version") + 1
            )
            moved += 1
    batch.applied_at, batch.applied_by = timezone.now(), by
    batch.save(update_fields=["applied_at", "applied_by"])
    audit_record(
        actor=by,
        action="stages.apply",
        obj=batch,
        after={"year": batch.year, "moved": moved, "accepted": sorted(accepted)},
    )
    return moved
