"""Cases (案件): one type for key-project blockers (要素保障问题) and, later, enterprise requests (诉求), with
an SLA clock, escalation to the responsible district leader and a timeline of every change."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chanye.core.scoping import ScopedQuerySet


class Kind(models.TextChoices):
    BLOCKER = "blocker", _("要素保障问题")
    REQUEST = "request", _("企业诉求")


class Category(models.TextChoices):
    LAND = "land", _("用地")
    FUNDING = "funding", _("资金")
    APPROVAL = "approval", _("审批")
    ENERGY = "energy", _("能耗")
    DEMOLITION = "demolition", _("征拆")
    UTILITIES = "utilities", _("配套")
    OTHER = "other", _("其他")


# Days to resolve a case of each category unless the table (CategorySla) says otherwise.
DEFAULT_SLA_DAYS = {
    Category.LAND: 60,
    Category.FUNDING: 30,
    Category.APPROVAL: 20,
    Category.ENERGY: 30,
    Category.DEMOLITION: 90,
    Category.UTILITIES: 30,
    Category.OTHER: 15,
}


class Status(models.TextChoices):
    OPEN = "open", _("待办")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已销号")
    CANCELLED = "cancelled", _("已撤销")


ACTIVE = (Status.OPEN, Status.IN_PROGRESS)


class CategorySla(models.Model):
    """How many days a case of a category gets by default (data: the 发改局 edits it)."""

    category = models.CharField(_("类别"), max_length=20, choices=Category.choices, unique=True)
    days = models.PositiveSmallIntegerField(_("办结时限(天)"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["category"]
        verbose_name = _("办结时限")

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.days}"


class Case(models.Model):
    """A problem someone must solve by a date: what it is about, who answers for it, where it stands."""

    kind = models.CharField(_("案件类型"), max_length=10, choices=Kind.choices, default=Kind.BLOCKER)
    category = models.CharField(_("问题类别"), max_length=20, choices=Category.choices, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("问题描述"))
    # What the case is about, named without importing its model: ("project", "TH2025-001", "天河某项目").
    subject_type = models.CharField(_("对象类型"), max_length=30, blank=True)
    subject_id = models.CharField(_("对象编号"), max_length=60, blank=True)
    subject_label = models.CharField(_("涉及对象"), max_length=200, blank=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("涉及企业"),
    )
    department = models.ForeignKey(
        "organizations.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("责任部门"),
    )
    leader = models.ForeignKey(
        "organizations.Leader",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("督办区领导"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
        verbose_name=_("经办人"),
    )
    sla_days = models.PositiveSmallIntegerField(_("办结时限(天)"))
    deadline = models.DateField(_("办结期限"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("办理结果"), blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("督办级别"), default=0)
    escalated_at = models.DateTimeField(_("最近督办时间"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提出人"),
    )
    opened_at = models.DateTimeField(_("立案时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    synthetic = models.BooleanField(_("模拟数据"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_kind = "case"
    scope_distinct = False  # the scope uses to-one joins and subqueries only

    class Meta:
        ordering = ["-id"]
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["department", "status"]),
            models.Index(fields=["leader", "status"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="resolved") | ~Q(resolution=""),
                name="case_resolved_has_resolution",
                violation_error_message="销号须填写办理结果",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def clock(self):
        """The SLA clock as of today (stopped at the closing day once closed)."""
        from chanye.casework.clock import sla_clock

        closed = timezone.localdate(self.closed_at) if self.closed_at and not self.active else None
        return sla_clock(deadline=self.deadline, today=timezone.localdate(), closed_on=closed)


class EventKind(models.TextChoices):
    OPENED = "opened", _("立案")
    EDITED = "edited", _("修改")
    ASSIGNED = "assigned", _("派单")
    COMMENT = "comment", _("意见")
    DEADLINE = "deadline", _("调整期限")
    ESCALATED = "escalated", _("升级督办")
    RESOLVED = "resolved", _("销号")
    REOPENED = "reopened", _("重新打开")
    CANCELLED = "cancelled", _("撤销")


class CaseEvent(models.Model):
    """One entry of a case's timeline: what happened, who did it (none: the scheduled escalation), when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=12, choices=EventKind.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("内容"), blank=True)
    data = models.JSONField(_("明细"), default=dict, blank=True)

    class Meta:
        ordering = ["case", "at", "id"]
        indexes = [models.Index(fields=["case", "at"])]
        verbose_name = _("案件记录")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"
