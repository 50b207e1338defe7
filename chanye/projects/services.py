"""Writes of the key-project module: monthly filings (draft → submitted → returned / accepted), with a
version check on every save, a revision for every change and an audit event in the same transaction."""

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from chanye.audit.services import audit_record
from chanye.core import statements
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


_UNREAD: Any = object()


def _year_plan(project: Project, year: int) -> AnnualPlan | None:
    """The project's plan for `year`: a fixed statement (every prefilled page and first save reads it)."""
    found = list(
        AnnualPlan.objects.raw(
            f"SELECT {statements.columns(AnnualPlan)} FROM {AnnualPlan._meta.db_table} "  # noqa: S608
            "WHERE project_id = %s AND year = %s ORDER BY id LIMIT 1",
            [project.pk, year],
        )
    )
    return found[0] if found else None


def filing_prefill(*, project: Project, period: date, previous: Filing | None = _UNREAD) -> dict[str, Any]:
    """What an unchanged project would file: this month's planned investment, the cumulative continued from
    last month's filing (`previous`, when the caller has read it already), last month's narrative and open
    problems."""
    plan = _year_plan(project, period.year)
    planned = Decimal(0)
    if plan is not None:
        before = plan_share(plan, period.month - 1) if period.month > 1 else Decimal(0)
        planned = (plan.planned_investment * (plan_share(plan, period.month) - before)).quantize(
            Decimal("0.01")
        )
    if previous is _UNREAD:
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
    return _checked(Filing.objects.select_for_update().get(pk=filing.pk), expected_version)


def _checked(locked: Filing, expected_version: int | None) -> Filing:
    """`locked` (a filing read with its row lock) unless the editor saw another version of it."""
    if expected_version == 0:  # the form was opened before any filing of the month existed
        raise StaleEdit(_FILED_MEANWHILE.format(version=locked.version))
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            f"该月报已被他人修改（当前版本 {locked.version}，你打开的是版本 {expected_version}），"
            "你的修改未保存，请刷新后再改"
        )
    return locked


_FILED_MEANWHILE = "该月报已由他人先行填报（当前版本 {version}），你的修改未保存，请刷新后再改"


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


class _FiledMeanwhile(Exception):
    """A first save lost its INSERT to a concurrent first save of the same month."""


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
    be changed by the filer; a stale `expected_version` is refused (`StaleEdit`), and so is
    `expected_version=0` ("I saw no filing yet") once the month has one, even if it was created a moment
    ago by a concurrent first save."""
    try:
        return _filing_save(
            project=project,
            period=period,
            values=values,
            by=by,
            expected_version=expected_version,
            submit=submit,
        )
    except _FiledMeanwhile:
        # Read after the save's transaction rolled back (or back to its savepoint, inside another one).
        current = Filing.objects.filter(project=project, period=period).values_list("version", flat=True)
        raise StaleEdit(_FILED_MEANWHILE.format(version=current.first() or 1)) from None


@transaction.atomic
def _filing_save(
    *,
    project: Project,
    period: date,
    values: dict[str, Any],
    by,
    expected_version: int | None,
    submit: bool,
) -> Filing:
    if not can_file(by, project):
        raise PermissionDenied("只有项目业主单位可以填报本项目月报")
    # Read with its row lock at once (the deadline rush saves thousands of these in minutes).
    # `order_by("pk")`: the model's ordering joins the project, and FOR UPDATE would lock its row as well.
    filing = Filing.objects.select_for_update().filter(project=project, period=period).order_by("pk").first()
    creating = filing is None
    previous = _previous_filing(project, period)
    if filing is None:
        filing = Filing(
            project=project,
            period=period,
            due_on=due_on(period),
            **filing_prefill(project=project, period=period, previous=previous),
        )
        before: dict[str, Any] = {}
    else:
        filing = _checked(filing, expected_version)
        filing.project = project
        before = {name: _plain(getattr(filing, name)) for name in FILED_FIELDS}
        if filing.status not in (FilingStatus.DRAFT, FilingStatus.RETURNED):
            raise ValidationError(
                {"status": f"月报{filing.get_status_display()}，不能再修改；如需更正，请联系责任部门退回"}
            )
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
        filing.version += 1  # the row is locked: nobody else moves it before the commit
    # The one constraint, a filing per project and month, is the database's to keep: a concurrent first
    # save of the same month loses the INSERT and is refused as stale, never written over the other.
    filing.full_clean(
        exclude=["version", "project", "submitted_by", "reviewed_by"], validate_constraints=False
    )
    if creating:
        # No savepoint of its own (two statements less a first save): a lost INSERT ends the whole save,
        # and filing_save reads the winner's version once this transaction has rolled back.
        try:
            filing.save(force_insert=True)
        except IntegrityError:
            raise _FiledMeanwhile from None
    else:
        filing.save()
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


# ------------------------------------------------------------------------------------------ the library
# The project library (the project, its annual plans, milestones, special bonds and their spend) is kept by
# users with `projects.change`, within their scope. The project's `version` covers the whole record: every
# save here checks it (a stale one raises StaleEdit) and moves it on. Stages move only in the year-end
# batch; actual dates come from accepted filings or from a reviewer (see milestones_save).

PROJECT_FIELDS = (
    "name",
    "owner",
    "industry",
    "street",
    "category",
    "total_investment",
    "planned_start",
    "planned_end",
    "leader",
    "department",
    "funding",
    "location",
    "content",
)
PROJECT_LABELS = {
    "code": "项目编号",
    "name": "项目名称",
    "owner": "业主单位",
    "industry": "所属产业",
    "street": "所在街道",
    "category": "项目类别",
    "stage": "项目阶段",
    "total_investment": "总投资(万元)",
    "planned_start": "计划开工",
    "planned_end": "计划竣工",
    "leader": "责任区领导",
    "department": "责任部门",
    "funding": "资金来源",
    "location": "建设地点",
    "content": "建设内容",
}
MONEY_STEP = Decimal("0.0001")
CURVE_STEP = Decimal("0.0001")


def can_edit(user, project: Project | None = None) -> bool:
    """May `user` change the library record of `project` (or create projects, without one)? It takes
    `projects.change`; a department officer holding it keeps to the projects its department answers for."""
    if user is None or not user.can("projects.change"):
        return False
    if user.role == "department_officer":
        return user.department_id is not None and (
            project is None or project.department_id == user.department_id
        )
    return project is None or Project.objects.visible_to(user).filter(pk=project.pk).exists()


def _lock_project(project: Project, expected_version: int | None) -> Project:
    """The project row locked for the rest of the transaction, refused when it moved since it was read."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            f"该项目已被他人修改（当前版本 {locked.version}，你打开的是版本 {expected_version}），"
            "你的修改未保存；请核对最新内容后再保存"
        )
    return locked


def _bump(project: Project) -> None:
    Project.objects.filter(pk=project.pk).update(version=F("version") + 1)
    project.refresh_from_db(fields=["version", "updated_at"])


def _shown(value: Any) -> Any:
    """A value as the history shows it: names for related rows, plain numbers and ISO dates."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "_meta"):
        return str(value)
    return value


def _project_snapshot(project: Project) -> dict[str, Any]:
    values: dict[str, Any] = {"code": project.code, "stage": project.get_stage_display()}
    for name in PROJECT_FIELDS:
        value = getattr(project, name)
        if name == "category":
            value = project.get_category_display()
        values[name] = _shown(value)
    return values


def _record(
    project: Project, *, by, action: str, subject: str, changes: dict, before: Any = None, after: Any = None
) -> None:
    """The history row for the project page and the audit event, in the caller's transaction."""
    from chanye.projects.models import ProjectChange

    ProjectChange.objects.create(project=project, by=by, action=action, subject=subject, changes=changes)
    audit_record(
        actor=by,
        action=f"project.{action}",
        obj=project,
        before=before,
        after=(after if after is not None else {}) | {"subject": subject, "version": project.version},
    )


def _diff(before: dict[str, Any], after: dict[str, Any], labels: dict[str, str]) -> dict[str, list]:
    return {
        labels.get(key, key): [before.get(key), after.get(key)]
        for key in after
        if before.get(key) != after.get(key)
    }


def _money(raw: Any, field: str, *, label: str, allow_zero: bool = True) -> Decimal:
    try:
        amount = Decimal(str(raw).strip().replace(",", "").replace("，", ""))
    except ArithmeticError:
        raise ValidationError({field: f"{label}不是金额：{raw}"}) from None
    if not amount.is_finite():
        raise ValidationError({field: f"{label}不是金额：{raw}"})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: f"{label}应大于 0" if not allow_zero else f"{label}不能为负数"})
    return amount.quantize(MONEY_STEP)


@transaction.atomic
def project_create(*, values: dict[str, Any], by, stage: str = Stage.RESERVE) -> Project:
    """Enter a new project in the library (储备 unless another stage is named); `values` holds `code` and
    PROJECT_FIELDS (related rows as objects)."""
    if not can_edit(by):
        raise PermissionDenied("只有发改局管理员可以新建重点项目")
    code = str(values.get("code") or "").strip()
    if not code:
        raise ValidationError({"code": "请填写项目编号"})
    if Project.objects.filter(code=code).exists():
        raise ValidationError({"code": f"项目编号 {code} 已存在"})
    if stage not in Stage.values:
        raise ValidationError({"stage": f"未知阶段：{stage}"})
    project = Project(code=code, stage=stage)
    for name in PROJECT_FIELDS:
        if name in values:
            setattr(project, name, values[name])
    if by.role == "department_officer" and project.department_id != by.department_id:
        raise PermissionDenied("只能新建本部门负责的项目")
    _check_dates(project)
    project.full_clean()
    project.save()
    after = _project_snapshot(project)
    _record(
        project,
        by=by,
        action="create",
        subject="新建项目",
        changes=_diff({}, after, PROJECT_LABELS),
        after=after,
    )
    return project


def _check_dates(project: Project) -> None:
    if project.total_investment is not None and project.total_investment < 0:
        raise ValidationError({"total_investment": "总投资不能为负数"})
    if project.planned_start and project.planned_end and project.planned_end < project.planned_start:
        raise ValidationError({"planned_end": "计划竣工日期不能早于计划开工日期"})


@transaction.atomic
def project_update(
    *, project: Project, values: dict[str, Any], by, expected_version: int | None = None
) -> Project:
    """Change a project's profile (PROJECT_FIELDS). The code is its key and the stage moves only in the
    year-end batch, so neither changes here; a stale `expected_version` raises StaleEdit."""
    if not can_edit(by, project):
        raise PermissionDenied("你无权修改该项目")
    project = _lock_project(project, expected_version)
    if "code" in values and str(values["code"]).strip() != project.code:
        raise ValidationError({"code": "项目编号是项目的标识，不能修改"})
    if "stage" in values and values["stage"] != project.stage:
        raise ValidationError({"stage": "项目阶段在年末统一调整（/projects/stages/），不能单个修改"})
    before = _project_snapshot(project)
    for name in PROJECT_FIELDS:
        if name in values:
            setattr(project, name, values[name])
    if by.role == "department_officer" and project.department_id != by.department_id:
        raise PermissionDenied("不能把项目的责任部门改为其他部门")
    _check_dates(project)
    project.full_clean(exclude=["version"])
    after = _project_snapshot(project)
    changes = _diff(before, after, PROJECT_LABELS)
    if not changes:
        return project
    project.save(update_fields=[*PROJECT_FIELDS, "updated_at"])
    _bump(project)
    _record(project, by=by, action="update", subject="项目信息", changes=changes, before=before, after=after)
    return project


# Annual plans. The curve is stored as 12 cumulative shares (chanye.projects.lights); people enter 12
# monthly amounts in 万元 or 12 monthly shares in percent, and nothing at all means pro rata.


def curve_from_monthly(values: list[Any], *, unit: str, planned: Decimal) -> list[str]:
    """12 monthly amounts (unit "amount", 万元, summing to `planned`) or shares (unit "share", percent,
    summing to 100) → 12 cumulative shares ending at exactly 1. Errors name the month."""
    if len(values) != 12:
        raise ValidationError({"monthly": f"应填写 12 个月，实为 {len(values)} 个"})
    label = "计划投资" if unit == "amount" else "占比"
    months: list[Decimal] = []
    errors: list[str] = []
    for month, raw in enumerate(values, start=1):
        text = "" if raw is None else str(raw).strip().replace(",", "").replace("%", "")
        try:
            value = Decimal(text or "0")
            if not value.is_finite():
                raise ArithmeticError
        except ArithmeticError:
            errors.append(f"{month}月{label}「{raw}」不是数字")
            continue
        if value < 0:
            errors.append(f"{month}月{label}不能为负数")
        months.append(value)
    if errors:
        raise ValidationError({"monthly": errors})
    total = sum(months, Decimal(0))
    if unit == "amount":
        if abs(total - planned) > Decimal("0.01"):
            raise ValidationError(
                {
                    "monthly": f"12 个月计划投资合计 {_plain(total)} 万元，与年度计划投资 {_plain(planned)} 万元"
                    f"相差 {_plain(total - planned)} 万元，请核对"
                }
            )
    elif abs(total - 100) > Decimal("0.01"):
        raise ValidationError({"monthly": f"12 个月占比合计 {_plain(total)}%，应为 100%"})
    if total == 0:
        raise ValidationError({"monthly": "12 个月均为 0，无法形成计划曲线；不填则按月平均"})
    running, curve = Decimal(0), []
    for value in months:
        running += value
        curve.append(_plain((running / total).quantize(CURVE_STEP)))
    curve[-1] = "1"
    return curve


def monthly_amounts(plan: AnnualPlan | None, planned: Decimal | None = None) -> list[Decimal]:
    """The plan's 12 monthly amounts in 万元 (to the yuan; the last month takes the rounding, so they sum to
    the plan exactly and give back the same curve): what the plan form shows."""
    if planned is None:
        planned = plan.planned_investment if plan else Decimal(0)
    amounts, before = [], Decimal(0)
    for month in range(1, 13):
        share = plan_share(plan, month)
        amounts.append((planned * (share - before)).quantize(MONEY_STEP))
        before = share
    amounts[-1] = planned - sum(amounts[:-1], Decimal(0))
    return amounts


def clean_curve(curve: list[Any]) -> list[str]:
    """A cumulative curve as given (12 shares in 0–1 ending at 1), checked by the light rules' own check."""
    from chanye.projects.lights import validate_curve

    try:
        values = [Decimal(str(value).strip()).normalize() for value in curve]
    except ArithmeticError:
        raise ValidationError({"curve": f"计划曲线应为 12 个 0–1 的数字：{curve}"}) from None
    try:
        validate_curve(values)
    except ValueError as error:
        raise ValidationError({"curve": str(error)}) from None
    return [_plain(value) for value in values]


@transaction.atomic
def plan_save(
    *,
    project: Project,
    year: int,
    planned_investment: Any,
    by,
    completed_before: Any = None,
    monthly: list[Any] | None = None,
    unit: str = "amount",
    curve: list[Any] | None = None,
    expected_version: int | None = None,
) -> AnnualPlan:
    """Create or change a project's plan for `year`. The monthly curve comes from `monthly` (12 amounts in
    万元 or, with unit="share", 12 percentages), or as a cumulative `curve`; neither means pro rata."""
    if not can_edit(by, project):
        raise PermissionDenied("你无权修改该项目的年度计划")
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": f"年度应为四位年份，而不是 {year}"})
    project = _lock_project(project, expected_version)
    planned = _money(planned_investment, "planned_investment", label="年度计划投资")
    if monthly is not None and curve is not None:
        raise ValidationError({"curve": "请只给出月度计划或累计曲线中的一种"})
    if monthly is not None and any(str(v).strip() not in ("", "None") for v in monthly):
        if unit not in ("amount", "share"):
            raise ValidationError({"unit": f"月度计划的单位应为 amount（万元）或 share（%），而不是 {unit}"})
        new_curve = curve_from_monthly(list(monthly), unit=unit, planned=planned)
    elif curve:
        new_curve = clean_curve(list(curve))
    else:
        new_curve = []
    plan = AnnualPlan.objects.filter(project=project, year=year).first()
    before = _plan_snapshot(plan) if plan else {}
    if plan is None:
        plan = AnnualPlan(project=project, year=year)
    plan.planned_investment = planned
    if completed_before is not None and str(completed_before).strip() != "":
        plan.completed_before = _money(completed_before, "completed_before", label="以前年度累计完成")
    if plan.completed_before + planned > project.total_investment:
        raise ValidationError(
            {
                "planned_investment": f"以前年度累计 {_plain(plan.completed_before)} 万元加本年计划 "
                f"{_plain(planned)} 万元，超过项目总投资 {_plain(project.total_investment)} 万元"
            }
        )
    plan.curve = new_curve
    plan.full_clean(exclude=["project"])
    after = _plan_snapshot(plan)
    changes = _diff(before, after, PLAN_LABELS)
    if not changes:
        return plan
    plan.save()
    _bump(project)
    _record(
        project,
        by=by,
        action="plan",
        subject=f"{year} 年度计划",
        changes=changes,
        before=before or None,
        after=after,
    )
    return plan


PLAN_LABELS = {
    "planned_investment": "年度计划投资(万元)",
    "completed_before": "以前年度累计完成(万元)",
    "curve": "月度计划(累计占比)",
}


def _plan_snapshot(plan: AnnualPlan) -> dict[str, Any]:
    curve = [str(value) for value in plan.curve or []]
    return {
        "planned_investment": _plain(Decimal(plan.planned_investment).quantize(MONEY_STEP)),
        "completed_before": _plain(Decimal(plan.completed_before or 0).quantize(MONEY_STEP)),
        "curve": " ".join(curve) if curve else "按月平均",
    }


# Milestones. The planned date is the editor's (projects.change); the actual date records what happened,
# so it is set by a reviewer of the project (its responsible department, or the DRC) or by accepting a
# filing that reports the milestone (filing_accept). An actual 开工 / 竣工 is also the project's.


@transaction.atomic
def milestones_save(
    *,
    project: Project,
    dates: dict[str, tuple[date | None, date | None]],
    by,
    expected_version: int | None = None,
) -> list[Milestone]:
    """Set the planned and actual dates of milestones (kind → (planned_on, actual_on)); only what changed is
    checked against the user's rights and written."""
    editor, reviewer = can_edit(by, project), can_review(by, project)
    if not (editor or reviewer):
        raise PermissionDenied("你无权修改该项目的节点")
    unknown = [kind for kind in dates if kind not in MilestoneKind.values]
    if unknown:
        raise ValidationError({"kind": f"未知节点：{'、'.join(map(str, unknown))}"})
    project = _lock_project(project, expected_version)
    existing = {m.kind: m for m in Milestone.objects.filter(project=project)}
    today = timezone.localdate()
    changes: dict[str, list] = {}
    errors: dict[str, str] = {}
    saved = []
    for kind in MilestoneKind.values:
        if kind not in dates:
            continue
        planned_on, actual_on = dates[kind]
        label = MilestoneKind(kind).label
        milestone = existing.get(kind) or Milestone(project=project, kind=kind)
        planned_moved = milestone.planned_on != planned_on
        actual_moved = milestone.actual_on != actual_on
        if not (planned_moved or actual_moved):
            continue
        if planned_moved and not editor:
            errors[f"planned_{kind}"] = f"{label}：计划日期由发改局维护，你不能修改"
        if actual_moved and not reviewer:
            errors[f"actual_{kind}"] = f"{label}：实际日期只能由项目责任部门确认，或随月报审核通过记录"
        if actual_on is not None and actual_on > today:
            errors[f"actual_{kind}"] = f"{label}：实际日期 {actual_on} 晚于今天，尚未发生"
        if planned_moved:
            changes[f"{label}计划"] = [_shown(milestone.planned_on), _shown(planned_on)]
        if actual_moved:
            changes[f"{label}实际"] = [_shown(milestone.actual_on), _shown(actual_on)]
        milestone.planned_on, milestone.actual_on = planned_on, actual_on
        saved.append(milestone)
    if errors:
        raise ValidationError(errors)
    if not saved:
        return []
    for milestone in saved:
        if milestone.planned_on is None and milestone.actual_on is None:
            if milestone.pk:
                milestone.delete()
            continue
        milestone.save()
        if milestone.kind == MilestoneKind.START and project.actual_start != milestone.actual_on:
            Project.objects.filter(pk=project.pk).update(actual_start=milestone.actual_on)
        if milestone.kind == MilestoneKind.COMPLETION and project.actual_end != milestone.actual_on:
            Project.objects.filter(pk=project.pk).update(actual_end=milestone.actual_on)
    _bump(project)
    _record(project, by=by, action="milestones", subject="节点", changes=changes, after={"changes": changes})
    return saved


# Special bonds (专项债) and their monthly spend; the use window is 6 months unless the batch says otherwise.
BOND_LABELS = {
    "batch": "批次",
    "amount": "金额(万元)",
    "issued_on": "发行日期",
    "window_months": "使用期限(月)",
}


def _bond_snapshot(bond) -> dict[str, Any]:
    return {
        "batch": bond.batch,
        "amount": _plain(Decimal(bond.amount).quantize(MONEY_STEP)),
        "issued_on": _shown(bond.issued_on),
        "window_months": bond.window_months,
    }


def bond_spent(bond, *, except_period: date | None = None) -> Decimal:
    from django.db.models import Sum

    spends = bond.spends.all()
    if except_period is not None:
        spends = spends.exclude(period=except_period)
    return spends.aggregate(total=Sum("amount"))["total"] or Decimal(0)


@transaction.atomic
def bond_save(
    *,
    project: Project,
    values: dict[str, Any],
    by,
    bond=None,
    expected_version: int | None = None,
):
    """Add a special-bond batch to a project, or change one (`bond`): batch, amount (万元), issue date and
    use window in months (6 by default). The amount cannot fall below what has been spent."""
    from chanye.projects.models import Bond

    if not can_edit(by, project):
        raise PermissionDenied("你无权修改该项目的专项债")
    project = _lock_project(project, expected_version)
    creating = bond is None
    if creating:
        bond = Bond(project=project, window_months=6)
        before: dict[str, Any] = {}
    else:
        bond = Bond.objects.select_for_update().get(pk=bond.pk, project=project)
        before = _bond_snapshot(bond)
    errors: dict[str, str] = {}
    if "batch" in values:
        bond.batch = str(values["batch"] or "").strip()
    if not bond.batch:
        errors["batch"] = "请填写批次，如「2025年第一批」"
    elif Bond.objects.filter(project=project, batch=bond.batch).exclude(pk=bond.pk).exists():
        errors["batch"] = f"该项目已有批次「{bond.batch}」"
    if "amount" in values:
        try:
            bond.amount = _money(values["amount"], "amount", label="专项债金额", allow_zero=False)
        except ValidationError as error:
            errors.update({key: "；".join(value) for key, value in error.message_dict.items()})
    if bond.amount is None and "amount" not in errors:
        errors["amount"] = "请填写专项债金额"
    if "issued_on" in values:
        bond.issued_on = values["issued_on"]
    if bond.issued_on is None:
        errors["issued_on"] = "请填写发行日期"
    if values.get("window_months") not in (None, ""):
        window = values["window_months"]
        if not str(window).isdigit() or not 1 <= int(window) <= 120:
            errors["window_months"] = f"使用期限应为 1–120 个月，而不是 {window}"
        else:
            bond.window_months = int(window)
    if not creating and "amount" not in errors and bond.amount is not None:
        spent = bond_spent(bond)
        if bond.amount < spent:
            errors["amount"] = f"已支出 {_plain(spent)} 万元，金额不能小于已支出"
    if not creating and bond.issued_on and bond.spends.filter(period__lt=bond.issued_on.replace(day=1)):
        errors["issued_on"] = "已有早于该发行月份的支出，请先更正支出"
    if errors:
        raise ValidationError(errors)
    bond.full_clean(exclude=["project"])
    after = _bond_snapshot(bond)
    changes = _diff(before, after, BOND_LABELS)
    if not changes:
        return bond
    bond.save()
    _bump(project)
    _record(
        project,
        by=by,
        action="bond.create" if creating else "bond.update",
        subject=f"专项债 {bond.batch}",
        changes=changes,
        before=before or None,
        after=after,
    )
    return bond


@transaction.atomic
def bond_spend_save(*, bond, period: date, amount: Any, by, expected_version: int | None = None):
    """Record a bond's spend for a month (replacing what that month had; 0 clears it). The month cannot be
    before the issue, and the bond's total spend cannot exceed its amount."""
    from chanye.projects.models import Bond, BondSpend

    project = bond.project
    if not can_edit(by, project):
        raise PermissionDenied("你无权修改该项目的专项债支出")
    project = _lock_project(project, expected_version)
    bond = Bond.objects.select_for_update().get(pk=bond.pk)
    period = period.replace(day=1)
    value = _money(amount, "amount", label="支出金额")
    if period < bond.issued_on.replace(day=1):
        raise ValidationError({"period": f"支出月份 {period:%Y-%m} 早于发行月份 {bond.issued_on:%Y-%m}"})
    others = bond_spent(bond, except_period=period)
    if others + value > bond.amount:
        raise ValidationError(
            {
                "amount": f"累计支出将达 {_plain(others + value)} 万元，超过专项债「{bond.batch}」金额 "
                f"{_plain(bond.amount)} 万元（其他月份已支出 {_plain(others)} 万元，本月最多 "
                f"{_plain(bond.amount - others)} 万元）"
            }
        )
    spend = BondSpend.objects.filter(bond=bond, period=period).first()
    old = _plain(spend.amount) if spend else None
    new = _plain(value) if value else None
    if old == new or (spend is None and not value):
        return spend
    if value:
        spend = spend or BondSpend(bond=bond, period=period)
        spend.amount = value
        spend.save()
    else:
        assert spend is not None
        spend.delete()
        spend = None
    _bump(project)
    _record(
        project,
        by=by,
        action="bond.spend",
        subject=f"专项债 {bond.batch} {period:%Y-%m} 支出",
        changes={f"{period:%Y-%m} 支出(万元)": [old, new]},
        after={"bond": bond.pk, "period": f"{period:%Y-%m}", "amount": new},
    )
    return spend
