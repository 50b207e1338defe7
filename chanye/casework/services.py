"""Writes of casework: open, dispatch, comment, move the deadline, resolve (销号), reopen, cancel, and the
scheduled escalation of overdue cases. Each names its actor (None: the command line or the scheduler),
writes a timeline event and an audit event in the same transaction, and refuses a stale `expected_version`."""

from datetime import date, timedelta
from types import EllipsisType
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from chanye.accounts.roles import PERMISSIONS, Role
from chanye.audit.services import audit_record
from chanye.casework import clock
from chanye.casework.models import (
    ACTIVE,
    DEFAULT_SLA_DAYS,
    Case,
    CaseEvent,
    Category,
    CategorySla,
    EventKind,
    Kind,
    Status,
)
from chanye.core.errors import StaleEdit  # noqa: F401 - raised here, caught as services.StaleEdit
from chanye.organizations.models import Department, Leader, Responsibility

EDITABLE_FIELDS = ("title", "description", "category", "subject_type", "subject_id", "subject_label")
Keep = EllipsisType  # `...` for an argument means "leave as it is"


# Who may do what to a case (the role permission; the row is in scope because the caller read it so).


def can_handle(user, case: Case) -> bool:
    """The 发改局, and department officers on their own department's cases (or cases assigned to them)."""
    if user is None:
        return True
    if not user.can("cases.handle"):
        return False
    if user.role == Role.DEPARTMENT_OFFICER:
        return (user.department_id is not None and user.department_id == case.department_id) or (
            case.assignee_id == user.pk
        )
    return True


def can_reopen(user, case: Case) -> bool:
    """Handlers, and the enterprise the case is about when it is not satisfied with the result (回访不满意)."""
    if can_handle(user, case):
        return True
    return (
        user.role == Role.ENTERPRISE_USER
        and user.enterprise_id is not None
        and user.enterprise_id == case.enterprise_id
    )


def can_edit(user, case: Case) -> bool:
    """Handlers, and whoever opened the case while it is open."""
    return can_handle(user, case) or (case.opened_by_id is not None and case.opened_by_id == user.pk)


def default_sla_days(category: str) -> int:
    """The category's SLA from the table, else the shipped default (30 days without a category)."""
    days = CategorySla.objects.filter(category=category).values_list("days", flat=True).first()
    if days is not None:
        return days
    return DEFAULT_SLA_DAYS[Category(category)] if category in Category.values else 30


def handler_roles() -> list[str]:
    return [role.value for role in PERMISSIONS["cases.handle"]]


def default_responsibility(
    *, enterprise, department: Department | None
) -> tuple[Department | None, Leader | None]:
    """Who answers for a case nobody named: the enterprise's liaison department and leader (挂点联系), else
    the leader of an industry the department leads."""
    leader = None
    liaison = getattr(enterprise, "liaison", None) if enterprise is not None else None
    if liaison is not None:
        department = department or liaison.department
        if department == liaison.department:
            leader = liaison.leader
    if leader is None and department is not None:
        row = (
            Responsibility.objects.filter(
                valid_to__isnull=True, lead_department=department, leader__isnull=False
            )
            .select_related("leader")
            .order_by("industry__position", "id")
            .first()
        )
        leader = row.leader if row else None
    return department, leader


# Helpers shared by every write.


def _lock(case: Case, expected_version: int | None, *, by=None, allowed=None, denied: str = "") -> Case:
    """The case's row, locked; the actor's right is checked on it as it now is, then the version read."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if by is not None and allowed is not None and not allowed(by, locked):
        raise PermissionDenied(denied)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            f"该案件已被他人修改（当前版本 {locked.version}，你打开的是版本 {expected_version}），"
            "你的操作未保存，请刷新页面查看最新情况后再办理"
        )
    return locked


def _require_active(case: Case, doing: str) -> None:
    if case.status not in ACTIVE:
        raise ValidationError(
            {"status": f"案件{case.get_status_display()}，不能{doing}；如需继续办理，请先重新打开"}
        )


def _check_assignee(assignee, department: Department | None) -> None:
    if assignee is None:
        return
    if department is None:
        raise ValidationError({"assignee": "请先指定责任部门，再指定经办人"})
    if not assignee.is_active or assignee.role not in handler_roles():
        raise ValidationError({"assignee": f"「{assignee}」不是可以办理案件的账号"})
    if assignee.department_id != department.pk:
        raise ValidationError({"assignee": f"经办人「{assignee}」不属于责任部门「{department}」"})


def _snapshot(case: Case) -> dict[str, Any]:
    return {
        "status": case.status,
        "category": case.category,
        "title": case.title,
        "department": case.department_id,
        "leader": case.leader_id,
        "assignee": case.assignee_id,
        "deadline": case.deadline.isoformat(),
        "escalation_level": case.escalation_level,
        "version": case.version,
    }


def _save(case: Case, *, bump: bool = True) -> Case:
    if bump:
        case.version = F("version") + 1
    case.full_clean(exclude=["version", "enterprise", "opened_by", "closed_by", "assignee"])
    case.save()
    case.refresh_from_db()
    return case


def _record(
    case: Case, *, kind: str, by, text: str = "", data: dict | None = None, before: dict | None = None
) -> CaseEvent:
    event = CaseEvent.objects.create(case=case, kind=kind, by=by, text=text, data=data or {})
    audit_record(
        actor=by,
        action=f"case.{kind}",
        obj=case,
        before=before,
        after=_snapshot(case) | ({"text": text} if text else {}) | ({"data": data} if data else {}),
    )
    return event


def _required(value: str, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


# The writes.


@transaction.atomic
def case_open(
    *,
    by,
    title: str,
    description: str,
    category: str = "",
    kind: str = Kind.BLOCKER,
    subject_type: str = "",
    subject_id: str = "",
    subject_label: str = "",
    enterprise=None,
    department: Department | None = None,
    leader: Leader | None = None,
    assignee=None,
    deadline: date | None = None,
    sla_days: int | None = None,
    opened_at=None,
) -> Case:
    """Open a case. The SLA defaults to its category's, the deadline to the opening day plus the SLA; the
    department and leader default to the enterprise's liaison. Enterprise users open only for their own firm."""
    if by is not None and not by.can("cases.open"):
        raise PermissionDenied("您的角色无权提出案件")
    if by is not None and by.role == Role.ENTERPRISE_USER:
        if by.enterprise_id is None:
            raise PermissionDenied("您的账号未关联企业，请联系区发改局")
        if enterprise is not None and enterprise.pk != by.enterprise_id:
            raise PermissionDenied("企业用户只能为本企业提出案件")
        enterprise = by.enterprise
        # The enterprise says what is wrong; the government decides who answers for it and by when.
        department, leader, assignee, deadline, sla_days = None, None, None, None, None
    elif by is not None and department is None and by.role == Role.DEPARTMENT_OFFICER:
        department = by.department
    if assignee is not None and by is not None and not by.can("cases.handle"):
        raise PermissionDenied("只有发改局和责任部门可以指定经办人")
    if kind == Kind.BLOCKER and not category:
        raise ValidationError({"category": "请选择问题类别（用地、资金、审批、能耗、征拆、配套或其他）"})
    if category and category not in Category.values:
        raise ValidationError({"category": f"未知的问题类别：{category}"})
    if subject_id and not subject_type:
        raise ValidationError({"subject_type": "给出对象编号时，请同时给出对象类型（如 project）"})
    opened_at = opened_at or timezone.now()
    opened_on = timezone.localdate(opened_at)
    if sla_days is None:
        sla_days = default_sla_days(category)
    if sla_days < 1:
        raise ValidationError({"sla_days": "办结时限至少 1 天"})
    deadline = deadline or opened_on + timedelta(days=sla_days)
    if deadline < opened_on:
        raise ValidationError({"deadline": f"办结期限不能早于立案日期 {opened_on.isoformat()}"})
    named_department = department
    department, default_leader = default_responsibility(enterprise=enterprise, department=department)
    leader = leader or default_leader
    _check_assignee(assignee, department)
    case = Case(
        kind=kind,
        category=category,
        title=_required(title, "title", "请填写标题").strip()[:200],
        description=_required(description, "description", "请填写问题描述"),
        subject_type=subject_type.strip(),
        subject_id=subject_id.strip(),
        subject_label=(subject_label.strip() or (enterprise.name if enterprise is not None else ""))[:200],
        enterprise=enterprise,
        department=department,
        leader=leader,
        assignee=assignee,
        sla_days=sla_days,
        deadline=deadline,
        status=Status.IN_PROGRESS if assignee is not None else Status.OPEN,
        opened_by=by,
        opened_at=opened_at,
    )
    case = _save(case, bump=False)
    text = f"立案：{case.title}"
    if department is not None:
        text += f"；责任部门 {department}" + ("（按挂点联系确定）" if named_department is None else "")
    else:
        text += "；待发改局派单"
    _record(case, kind=EventKind.OPENED, by=by, text=text, data={"deadline": deadline.isoformat()})
    if assignee is not None:
        _record(case, kind=EventKind.ASSIGNED, by=by, text=f"经办人：{assignee}")
    return case


@transaction.atomic
def case_edit(*, case: Case, by, values: dict[str, Any], expected_version: int | None = None) -> Case:
    """Correct what a case says (title, description, category, subject) while it is being handled."""
    case = _lock(
        case, expected_version, by=by, allowed=can_edit, denied="只有提出人和责任部门可以修改案件内容"
    )
    _require_active(case, "修改")
    before = {name: getattr(case, name) for name in EDITABLE_FIELDS}
    for name, value in values.items():
        if name not in EDITABLE_FIELDS:
            continue
        setattr(case, name, (value or "").strip())
    if not case.title:
        raise ValidationError({"title": "请填写标题"})
    if not case.description:
        raise ValidationError({"description": "请填写问题描述"})
    if case.kind == Kind.BLOCKER and not case.category:
        raise ValidationError({"category": "请选择问题类别"})
    if case.category and case.category not in Category.values:
        raise ValidationError({"category": f"未知的问题类别：{case.category}"})
    if case.subject_id and not case.subject_type:
        raise ValidationError({"subject_type": "给出对象编号时，请同时给出对象类型（如 project）"})
    after = {name: getattr(case, name) for name in EDITABLE_FIELDS}
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if not changes:
        return case
    case = _save(case)
    _record(
        case, kind=EventKind.EDITED, by=by, text="修改了" + "、".join(changes), data=changes, before=before
    )
    return case


@transaction.atomic
def case_assign(
    *,
    case: Case,
    by,
    department: Department | None | Keep = ...,
    leader: Leader | None | Keep = ...,
    assignee: Any = ...,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """Dispatch (派单): the responsible department and leader (the 发改局's call) and the officer handling it
    (the department's). A case with an officer is 办理中."""
    case = _lock(case, expected_version, by=by, allowed=can_handle, denied="只有发改局和责任部门可以派单")
    _require_active(case, "派单")
    before = _snapshot(case)
    may_redirect = by is None or by.can("cases.escalate")
    if not isinstance(department, EllipsisType) and department != case.department:
        if not may_redirect:
            raise PermissionDenied("改派责任部门须由发改局办理")
        case.department = department
        if isinstance(assignee, EllipsisType) and case.assignee is not None:
            assignee = None  # the officer belonged to the department the case left
        if isinstance(leader, EllipsisType):
            # The leader follows the department unless named: its liaison or industry leader, if it has one.
            leader = (
                default_responsibility(enterprise=case.enterprise, department=department)[1] or case.leader
            )
    if not isinstance(leader, EllipsisType) and leader != case.leader:
        if not may_redirect:
            raise PermissionDenied("调整督办区领导须由发改局办理")
        case.leader = leader
    if not isinstance(assignee, EllipsisType):
        _check_assignee(assignee, case.department)
        case.assignee = assignee
    if case.assignee is not None and case.status == Status.OPEN:
        case.status = Status.IN_PROGRESS
    elif case.assignee is None and case.status == Status.IN_PROGRESS:
        case.status = Status.OPEN
    after = _snapshot(case)
    if all(before[key] == after[key] for key in ("department", "leader", "assignee")):
        return case
    case = _save(case)
    parts = []
    if before["department"] != after["department"]:
        parts.append(f"责任部门：{case.department or '待派单'}")
    if before["leader"] != after["leader"]:
        parts.append(f"督办区领导：{case.leader or '—'}")
    if before["assignee"] != after["assignee"]:
        parts.append(f"经办人：{case.assignee or '—'}")
    text = "；".join(parts) + (f"。{note.strip()}" if note.strip() else "")
    _record(case, kind=EventKind.ASSIGNED, by=by, text=text, before=before)
    return case


@transaction.atomic
def case_comment(*, case: Case, by, text: str) -> CaseEvent:
    """Add an opinion or progress note to the timeline (also on a closed case: the callback, 回访)."""
    if by is not None and not Case.objects.visible_to(by).filter(pk=case.pk).exists():
        raise PermissionDenied("您无权对此案件发表意见")
    body = _required(text, "text", "请填写意见内容")[:4000]
    return _record(case, kind=EventKind.COMMENT, by=by, text=body)


@transaction.atomic
def case_set_deadline(
    *, case: Case, by, deadline: date, reason: str, expected_version: int | None = None
) -> Case:
    """Move the deadline, with the reason. The escalation already reached stays: only a reopen clears it."""
    case = _lock(
        case, expected_version, by=by, allowed=can_handle, denied="只有发改局和责任部门可以调整办结期限"
    )
    _require_active(case, "调整期限")
    opened_on = timezone.localdate(case.opened_at)
    if deadline < opened_on:
        raise ValidationError({"deadline": f"办结期限不能早于立案日期 {opened_on.isoformat()}"})
    if deadline == case.deadline:
        raise ValidationError({"deadline": f"办结期限已是 {deadline.isoformat()}，没有变化"})
    why = _required(reason, "reason", "请写明调整办结期限的原因")
    before = _snapshot(case)
    previous, case.deadline = case.deadline, deadline
    case = _save(case)
    _record(
        case,
        kind=EventKind.DEADLINE,
        by=by,
        text=f"办结期限由 {previous.isoformat()} 调整为 {deadline.isoformat()}：{why}",
        data={"from": previous.isoformat(), "to": deadline.isoformat()},
        before=before,
    )
    return case


@transaction.atomic
def case_resolve(*, case: Case, by, resolution: str, expected_version: int | None = None) -> Case:
    """销号: the case is solved; the resolution (what was done, on what basis) is required."""
    case = _lock(case, expected_version, by=by, allowed=can_handle, denied="只有发改局和责任部门可以销号")
    result = _required(resolution, "resolution", "销号须填写办理结果：问题如何解决、依据什么文件或会议")
    _require_active(case, "销号")
    before = _snapshot(case)
    case.status, case.resolution = Status.RESOLVED, result
    case.closed_at, case.closed_by = timezone.now(), by
    case = _save(case)
    _record(case, kind=EventKind.RESOLVED, by=by, text=result, before=before)
    return case


@transaction.atomic
def case_cancel(*, case: Case, by, reason: str, expected_version: int | None = None) -> Case:
    """撤销: the case was raised in error or is no longer needed; the reason is required."""
    case = _lock(case, expected_version, by=by, allowed=can_edit, denied="只有提出人和责任部门可以撤销案件")
    why = _required(reason, "reason", "请写明撤销原因")
    _require_active(case, "撤销")
    before = _snapshot(case)
    case.status, case.closed_at, case.closed_by = Status.CANCELLED, timezone.now(), by
    case = _save(case)
    _record(case, kind=EventKind.CANCELLED, by=by, text=why, before=before)
    return case


@transaction.atomic
def case_reopen(
    *, case: Case, by, reason: str, deadline: date | None = None, expected_version: int | None = None
) -> Case:
    """Reopen a resolved or cancelled case with the reason; it gets a new deadline (today plus its SLA unless
    given) and its escalation starts again."""
    case = _lock(
        case,
        expected_version,
        by=by,
        allowed=can_reopen,
        denied="只有发改局、责任部门和所涉企业可以重新打开案件",
    )
    why = _required(reason, "reason", "请写明重新打开的原因")
    if case.status in ACTIVE:
        raise ValidationError({"status": f"案件{case.get_status_display()}，无需重新打开"})
    today = timezone.localdate()
    deadline = deadline or today + timedelta(days=case.sla_days)
    if deadline < today:
        raise ValidationError({"deadline": "新的办结期限不能早于今天"})
    before = _snapshot(case)
    previous = {"status": case.status, "resolution": case.resolution}
    case.status = Status.IN_PROGRESS if case.assignee_id else Status.OPEN
    case.resolution, case.closed_at, case.closed_by = "", None, None
    case.deadline, case.escalation_level, case.escalated_at = deadline, 0, None
    case = _save(case)
    _record(
        case,
        kind=EventKind.REOPENED,
        by=by,
        text=f"{why}（新的办结期限 {deadline.isoformat()}）",
        data=previous,
        before=before,
    )
    return case


def cases_escalate_overdue(*, today: date | None = None, by=None) -> list[Case]:
    """Escalate every open case past its deadline to its responsible district leader, once per level
    (chanye.casework.clock.LEVELS): a second run the same day changes nothing."""
    today = today or timezone.localdate()
    escalated = []
    first = clock.LEVELS[0][1]
    overdue = Case.objects.filter(status__in=ACTIVE, deadline__lte=today - timedelta(days=first))
    for pk in overdue.order_by("deadline", "id").values_list("pk", flat=True):
        case = _escalate(pk, today=today, by=by)
        if case is not None:
            escalated.append(case)
    return escalated


@transaction.atomic
def _escalate(pk: int, *, today: date, by) -> Case | None:
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("enterprise", "department", "leader")
        .get(pk=pk)
    )
    if case.status not in ACTIVE:
        return None
    days = (today - case.deadline).days
    level = clock.escalation_level(days)
    if level <= case.escalation_level:
        return None
    before = _snapshot(case)
    filled = False
    if case.leader is None:
        case.department, case.leader = default_responsibility(
            enterprise=case.enterprise, department=case.department
        )
        filled = case.leader is not None
    case.escalation_level, case.escalated_at = level, timezone.now()
    # Escalation changes nothing a user edits, so open forms stay valid: the version is kept.
    case = _save(case, bump=False)
    to = f"提请{case.leader}督办" if case.leader else "未确定督办区领导，请发改局指定"
    text = f"逾期 {days} 天（办结期限 {case.deadline.isoformat()}），第 {level} 级督办：{to}"
    _record(
        case,
        kind=EventKind.ESCALATED,
        by=by,
        text=text,
        data={"level": level, "days_overdue": days, "leader": case.leader_id, "leader_filled": filled},
        before=before,
    )
    return case


@transaction.atomic
def category_sla_set(*, by, days: dict[str, int]) -> list[CategorySla]:
    """Set the default SLA (days) of categories; cases already open keep theirs."""
    if by is not None and not by.can("cases.escalate"):
        raise PermissionDenied("只有发改局可以设置办结时限")
    rows = []
    for category, value in days.items():
        if category not in Category.values:
            raise ValidationError({category: f"未知的问题类别：{category}"})
        if not 1 <= int(value) <= 3650:
            raise ValidationError({category: f"{Category(category).label}：办结时限应在 1 到 3650 天之间"})
        row = CategorySla.objects.filter(category=category).first() or CategorySla(category=category)
        before = row.days if row.pk else None
        if before == int(value):
            rows.append(row)
            continue
        row.days, row.updated_by = int(value), by
        row.full_clean(exclude=["updated_by"])
        row.save()
        audit_record(
            actor=by, action="case_sla.set", obj=row, before={"days": before}, after={"days": row.days}
        )
        rows.append(row)
    return rows


# The demo (`chanye demo`): a handful of blocker cases on the largest synthetic firms with a liaison.

DEMO_CASES = (
    # category, title, description, days since opened, what happened since, whose firm and who raised it
    ("land", "二期用地指标未落实", "二期厂房用地指标尚未下达，影响年内开工计划。", 75, "overdue", "drc"),
    (
        "funding",
        "专项债资金拨付滞后",
        "第一批专项债已发行，资金未拨付到项目，施工单位垫资困难。",
        40,
        "overdue",
        "drc",
    ),
    (
        "approval",
        "施工许可卡在消防审查",
        "消防设计审查意见反复修改，施工许可证迟迟未能办理。",
        10,
        "working",
        "drc",
    ),
    (
        "energy",
        "能评指标不足影响投产",
        "新增生产线能耗指标缺口约 3,000 吨标准煤，需区内统筹。",
        5,
        "open",
        "enterprise",
    ),
    (
        "demolition",
        "红线内 3 户未完成征拆",
        "项目红线内仍有 3 户未签约，影响场地平整。",
        130,
        "overdue",
        "drc",
    ),
    (
        "utilities",
        "市政供电接入未排期",
        "10kV 专线接入方案已批，供电局未排期施工。",
        20,
        "resolved",
        "enterprise",
    ),
    ("utilities", "周边道路未打通", "项目东侧规划路未打通，施工车辆只能绕行。", 25, "working", "street"),
    ("approval", "环评批复待出", "环评报告已受理两个月，批复尚未出具。", 45, "resolved_late", "drc"),
    ("other", "夜间施工许可协调", "混凝土浇筑需连续作业，申请夜间施工许可。", 3, "open", "drc"),
    ("funding", "研发设备购置补贴申请", "企业申请研发设备购置补贴，需明确申报口径。", 12, "cancelled", "drc"),
)


def demo_cases() -> int:
    """Blocker cases for the demo on synthetic firms (the demo enterprise's and street's among them): some
    open, some overdue and escalated, some resolved; run by `chanye demo`. Returns how many it created (0
    when they exist or there is no register yet)."""
    from django.contrib.auth import get_user_model

    from chanye.enterprises.models import Enterprise

    if Case.objects.filter(synthetic=True).exists():
        return 0
    users = get_user_model().objects.filter(is_active=True)
    synthetic = Enterprise.objects.filter(synthetic=True).order_by("-revenue")
    liaised = list(synthetic.filter(liaison__isnull=False)[: len(DEMO_CASES)])
    if not liaised:
        return 0
    drc = users.filter(role=Role.DRC_ADMIN).first()
    firm_user = users.filter(role=Role.ENTERPRISE_USER, enterprise__synthetic=True).first()
    street_user = users.filter(role=Role.STREET_OFFICER).exclude(street=None).first()
    own = {
        "enterprise": (firm_user.enterprise if firm_user else None, firm_user),
        "street": (synthetic.filter(street=street_user.street).first() if street_user else None, street_user),
    }
    now = timezone.now()
    made = []
    with transaction.atomic():
        for number, (category, title, description, days_ago, outcome, whose) in enumerate(DEMO_CASES):
            firm, opener = own.get(whose, (None, None))
            if firm is None or opener is None:
                firm, opener = liaised[number % len(liaised)], drc
            opened_at = now - timedelta(days=days_ago)
            case = case_open(
                by=opener,
                category=category,
                title=title,
                description=description,
                subject_type="enterprise",
                subject_id=firm.uscc,
                subject_label=firm.name,
                enterprise=firm,
                opened_at=opened_at,
            )
            if case.department is None and outcome != "open":
                case = case_assign(case=case, by=drc, department=liaised[0].liaison.department)
            officer = users.filter(role=Role.DEPARTMENT_OFFICER, department=case.department).first()
            if outcome != "open" and officer is not None:
                case = case_assign(case=case, by=drc, assignee=officer)
            if outcome in ("working", "overdue", "resolved", "resolved_late"):
                case_comment(case=case, by=officer or drc, text="已与企业对接，正在协调相关部门。")
            if outcome in ("resolved", "resolved_late"):
                case = case_resolve(
                    case=case,
                    by=officer or drc,
                    resolution="经区领导专题协调会研究，相关部门已完成办理，企业确认问题解决。",
                )
            if outcome == "cancelled":
                case = case_cancel(case=case, by=drc, reason="企业已另行申报政策，本问题撤销。")
            made.append(case.pk)
            # A back-dated case's events happened over its life: opened first, the rest spread after it.
            gap = timedelta(days=max(days_ago // 4, 1))
            last = opened_at
            for step, event in enumerate(case.events.order_by("id")):
                last = min(opened_at + step * gap, now)
                CaseEvent.objects.filter(pk=event.pk).update(at=last)
            if case.closed_at is not None:
                Case.objects.filter(pk=case.pk).update(closed_at=last)
        Case.objects.filter(pk__in=made).update(synthetic=True)
    cases_escalate_overdue()
    return len(made)
