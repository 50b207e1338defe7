"""Reminders to late filers (催报): the owner enterprise's users of every project whose monthly filing is
missing get an in-app reminder, and an email when they have an address; at most once per project, month,
person and day. Sent by the responsible department (the button on the filing board, the API) or the
command line (`chanye projects remind`)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from chanye.audit.services import audit_record
from chanye.projects.models import Filing, FilingStatus, Project, Reminder, ReminderChannel
from chanye.projects.services import ACTIVE_STAGES, can_file, due_on

UNFILED = (FilingStatus.DRAFT, FilingStatus.RETURNED)  # a draft or a returned filing is not filed


@dataclass(frozen=True)
class Planned:
    """One reminder to send (or, in a dry run, that would be sent)."""

    project: Project
    recipient: Any  # a User (the custom user model)
    email: str  # "" when the person has no address: in-app only


@dataclass
class RemindResult:
    period: date
    today: date
    dry_run: bool
    sent: list[Planned] = field(default_factory=list)
    already: list[Planned] = field(default_factory=list)  # reminded today already: not again
    no_recipient: list[Project] = field(default_factory=list)  # nobody at the owner can file
    emails: int = 0

    @property
    def projects(self) -> int:
        return len({planned.project.pk for planned in self.sent})

    def summary(self) -> str:
        verb = "将提醒" if self.dry_run else "已提醒"
        parts = [f"{self.period:%Y-%m} 月报{verb} {self.projects} 个项目的 {len(self.sent)} 人次"]
        if self.emails:
            parts.append(f"其中 {self.emails} 封邮件")
        if self.already:
            parts.append(f"{len(self.already)} 人次今天已提醒过，不再重复")
        if self.no_recipient:
            parts.append(f"{len(self.no_recipient)} 个项目的业主单位没有可填报的用户")
        return "，".join(parts)


def reviewable_projects(user) -> QuerySet[Project]:
    """The projects whose filings this user answers for: a department its own, the 发改局 every one it sees;
    the command line (None) all."""
    if user is None:
        return Project.objects.all()
    projects = Project.objects.visible_to(user)
    if user.role == "department_officer":
        projects = projects.filter(department_id=user.department_id or 0)
    return projects


def unfiled_projects(*, period: date, projects: QuerySet[Project]) -> QuerySet[Project]:
    """Active projects among `projects` with no submitted filing for `period` (none, a draft, or returned)."""
    filed = Filing.objects.filter(period=period).exclude(status__in=UNFILED).values("project_id")
    return projects.filter(stage__in=ACTIVE_STAGES).exclude(pk__in=filed).order_by("code")


def _plan(period: date, today: date, projects: QuerySet[Project]) -> RemindResult:
    result = RemindResult(period=period, today=today, dry_run=True)
    late = list(unfiled_projects(period=period, projects=projects).select_related("owner"))
    owners = {project.owner_id for project in late if project.owner_id}
    people: dict[int, list] = defaultdict(list)
    for person in (
        get_user_model()
        .objects.filter(enterprise_id__in=owners, is_active=True, role="enterprise_user")
        .order_by("username")
    ):
        people[person.enterprise_id].append(person)
    done = set(
        Reminder.objects.filter(project__in=late, period=period, sent_on=today).values_list(
            "project_id", "recipient_id"
        )
    )
    for project in late:
        owned = people.get(project.owner_id, []) if project.owner_id else []
        recipients = [person for person in owned if can_file(person, project)]
        if not recipients:
            result.no_recipient.append(project)
        for person in recipients:
            planned = Planned(project, person, (person.email or "").strip())
            (result.already if (project.pk, person.pk) in done else result.sent).append(planned)
    return result


def reminders_send(*, period: date, by, today: date | None = None, dry_run: bool = False) -> RemindResult:
    """Remind the owner enterprise's users of every project in `by`'s charge whose filing for `period` is
    missing (by None: the command line, every project). Nobody is reminded twice the same day about the same
    project; a dry run writes and sends nothing. The month must have ended. Each project reminded gets an
    audit event; emails go out in the same transaction (a failed send writes nothing)."""
    if by is not None and not by.can("projects.review"):
        raise PermissionDenied("只有项目责任部门或发改局可以催报")
    today = today or timezone.localdate()
    if today < due_on(period).replace(day=1):
        raise ValidationError({"period": f"{period:%Y-%m} 尚未结束，月报还不能报送，无需催报"})
    with transaction.atomic():
        result = _plan(period, today, reviewable_projects(by))
        result.dry_run = dry_run
        if dry_run:
            result.emails = sum(1 for planned in result.sent if planned.email)
            return result
        now = timezone.now()
        written: list[Planned] = []
        for planned in result.sent:
            try:
                with transaction.atomic():  # a reminder sent meanwhile by someone else is not sent again
                    Reminder.objects.create(
                        project=planned.project,
                        period=period,
                        recipient=planned.recipient,
                        channel=ReminderChannel.EMAIL if planned.email else ReminderChannel.INBOX,
                        email=planned.email,
                        sent_on=today,
                        sent_at=now,
                        sent_by=by,
                    )
            except IntegrityError:
                result.already.append(planned)
                continue
            written.append(planned)
        result.sent = written
        by_project: dict[int, list[Planned]] = defaultdict(list)
        for planned in written:
            by_project[planned.project.pk].append(planned)
        for group in by_project.values():
            audit_record(
                actor=by,
                action="filing.remind",
                obj=group[0].project,
                after={
                    "period": f"{period:%Y-%m}",
                    "due_on": due_on(period).isoformat(),
                    "recipients": [p.recipient.get_username() for p in group],
                    "emails": [p.email for p in group if p.email],
                },
            )
        messages = _emails(written, period=period, today=today)
        result.emails = len(messages)
        if messages:
            try:
                mail.mailers.default.send_messages(messages)
            except OSError as error:
                raise ValidationError(
                    {"email": f"提醒邮件发送失败（{error}），本次提醒未记录，请稍后重试"}
                ) from None
    return result


def _emails(sent: list[Planned], *, period: date, today: date) -> list[mail.EmailMessage]:
    """One email per person, listing every project of theirs reminded now."""
    due = due_on(period)
    state = f"已逾期 {(today - due).days} 天" if today > due else f"截止日为 {due:%Y年%m月%d日}"
    grouped: dict[str, list[Planned]] = defaultdict(list)
    for planned in sent:
        if planned.email:
            grouped[planned.email].append(planned)
    messages = []
    for address, items in grouped.items():
        lines = [
            f"{items[0].recipient}，您好：",
            "",
            f"以下重点项目 {period.year} 年 {period.month} 月的月报尚未报送（应于 {due:%Y年%m月%d日} 前报送，{state}）：",
            "",
            *(
                f"- {p.project.code} {p.project.name}：/projects/{p.project.code}/filings/{period:%Y-%m}/"
                for p in items
            ),
            "",
            "请登录产业平台填报。已报送的请忽略本提醒。",
        ]
        messages.append(
            mail.EmailMessage(
                subject=f"【产业】请报送 {period.year} 年 {period.month} 月重点项目月报",
                body="\n".join(lines),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[address],
            )
        )
    return messages


# ---------------------------------------------------------------------------------------------- reads


def reminder_list(*, user, period: date | None = None) -> QuerySet[Reminder]:
    """Reminders the user may see: an enterprise user those sent to them, the government those about the
    projects in their scope."""
    queryset = Reminder.objects.select_related("project", "recipient", "sent_by")
    if user.role == "enterprise_user":
        queryset = queryset.filter(recipient=user)
    else:
        queryset = queryset.filter(project__in=Project.objects.visible_to(user))
    if period is not None:
        queryset = queryset.filter(period=period)
    return queryset.order_by("-sent_at", "-id")


def inbox(*, user, limit: int = 10) -> list[tuple[Reminder, bool]]:
    """A filer's latest reminders, each with whether that month's filing has been submitted since."""
    if user.role == "enterprise_user" and not _ever_reminded(user):
        return []
    reminders = list(reminder_list(user=user).select_related(None).select_related("project")[:limit])
    if not reminders:
        return []
    filed = set(
        Filing.objects.filter(
            project_id__in={r.project_id for r in reminders}, period__in={r.period for r in reminders}
        )
        .exclude(status__in=UNFILED)
        .values_list("project_id", "period")
    )
    return [(reminder, (reminder.project_id, reminder.period) in filed) for reminder in reminders]


def _ever_reminded(user) -> bool:
    """Whether anything was ever sent to this user: one fixed statement (no ORM query to compile), since
    every filer's board asks at the deadline and most have never been reminded."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {Reminder._meta.db_table} WHERE recipient_id = %s LIMIT 1",  # noqa: S608
            [user.pk],
        )
        return cursor.fetchone() is not None
