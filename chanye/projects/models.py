"""Key projects: the library, annual plans, milestones, special bonds, monthly filings with their history,
and the light rules (data, versioned). Money is in 万元 throughout."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chanye.core.scoping import ScopedQuerySet


class Stage(models.TextChoices):
    RESERVE = "reserve", _("储备")
    NEW = "new", _("新开工")
    CONTINUING = "continuing", _("续建")
    COMPLETED = "completed", _("竣工")
    OPERATING = "operating", _("投产")


class Category(models.TextChoices):
    INDUSTRY = "industry", _("产业项目")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    URBAN_RENEWAL = "urban_renewal", _("城市更新")
    LIVELIHOOD = "livelihood", _("社会民生")
    OTHER = "other", _("其他")


class MilestoneKind(models.TextChoices):
    LAND = "land", _("拿地")
    APPROVAL = "approval", _("立项")
    PLANNING = "planning", _("规划许可")
    CONSTRUCTION = "construction", _("施工许可")
    START = "start", _("开工")
    TOPPING = "topping", _("主体封顶")
    COMPLETION = "completion", _("竣工")
    OPERATION = "operation", _("投产")


class Project(models.Model):
    code = models.CharField(_("项目编号"), max_length=30, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    owner = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("业主单位"),
    )
    industry = models.ForeignKey(
        "industries.Industry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("所属产业"),
    )
    street = models.ForeignKey(
        "organizations.Street",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("所在街道"),
    )
    category = models.CharField(
        _("项目类别"), max_length=20, choices=Category.choices, default=Category.INDUSTRY
    )
    stage = models.CharField(_("项目阶段"), max_length=12, choices=Stage.choices, default=Stage.RESERVE)
    total_investment = models.DecimalField(_("总投资(万元)"), max_digits=18, decimal_places=4)
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    planned_end = models.DateField(_("计划竣工"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工"), null=True, blank=True)
    actual_end = models.DateField(_("实际竣工"), null=True, blank=True)
    leader = models.ForeignKey(
        "organizations.Leader",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("责任区领导"),
    )
    department = models.ForeignKey(
        "organizations.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("责任部门"),
    )
    funding = models.CharField(_("资金来源"), max_length=200, blank=True)
    location = models.CharField(_("建设地点"), max_length=200, blank=True)
    content = models.TextField(_("建设内容"), blank=True)
    synthetic = models.BooleanField(_("模拟数据"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_kind = "project"
    scope_distinct = False

    class Meta:
        ordering = ["code"]
        verbose_name = _("重点项目")
        verbose_name_plural = _("重点项目")
        indexes = [models.Index(fields=["stage", "code"]), models.Index(fields=["department", "code"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AnnualPlan(models.Model):
    """A project's plan for one year. `curve`: 12 cumulative shares of the year's plan at each month's end
    (the last is 1); empty means pro rata (month ÷ 12)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="plans")
    year = models.PositiveSmallIntegerField(_("年度"))
    planned_investment = models.DecimalField(_("年度计划投资(万元)"), max_digits=18, decimal_places=4)
    completed_before = models.DecimalField(
        _("以前年度累计完成(万元)"), max_digits=18, decimal_places=4, default=0
    )
    curve = models.JSONField(_("月度计划曲线"), default=list, blank=True)

    class Meta:
        ordering = ["project", "year"]
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="uniq_project_year_plan")]
        verbose_name = _("年度计划")

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("节点"), max_length=20, choices=MilestoneKind.choices)
    planned_on = models.DateField(_("计划日期"), null=True, blank=True)
    actual_on = models.DateField(_("实际日期"), null=True, blank=True)

    class Meta:
        ordering = ["project", "planned_on", "kind"]
        constraints = [models.UniqueConstraint(fields=["project", "kind"], name="uniq_project_milestone")]
        verbose_name = _("节点")

    def __str__(self) -> str:
        return self.get_kind_display()


class Bond(models.Model):
    """A batch of special bonds (专项债) for a project, to be spent within its use window."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="bonds")
    batch = models.CharField(_("批次"), max_length=60)
    amount = models.DecimalField(_("金额(万元)"), max_digits=18, decimal_places=4)
    issued_on = models.DateField(_("发行日期"))
    window_months = models.PositiveSmallIntegerField(_("使用期限(月)"), default=6)

    class Meta:
        ordering = ["project", "issued_on"]
        verbose_name = _("专项债")

    def __str__(self) -> str:
        return self.batch


class BondSpend(models.Model):
    bond = models.ForeignKey(Bond, on_delete=models.CASCADE, related_name="spends")
    period = models.DateField(_("月份"))  # the first day of the month
    amount = models.DecimalField(_("支出(万元)"), max_digits=18, decimal_places=4)

    class Meta:
        ordering = ["bond", "period"]
        constraints = [models.UniqueConstraint(fields=["bond", "period"], name="uniq_bond_period")]

    def __str__(self) -> str:
        return f"{self.bond_id} {self.period:%Y-%m}"


class FilingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已审核")


class Filing(models.Model):
    """A project's monthly report (月报), filed by its owner and reviewed by the responsible department."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="filings")
    period = models.DateField(_("月份"))  # the first day of the month reported on
    investment = models.DecimalField(_("本月完成投资(万元)"), max_digits=18, decimal_places=4, default=0)
    cumulative = models.DecimalField(_("本年累计完成投资(万元)"), max_digits=18, decimal_places=4, default=0)
    milestones = models.JSONField(_("本月完成节点"), default=list, blank=True)
    narrative = models.TextField(_("形象进度"), blank=True)
    blockers = models.TextField(_("存在问题"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=FilingStatus.choices, default=FilingStatus.DRAFT
    )
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    due_on = models.DateField(_("报送截止日"))
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_kind = "filing"
    scope_distinct = False

    class Meta:
        ordering = ["-period", "project"]
        constraints = [models.UniqueConstraint(fields=["project", "period"], name="uniq_project_period")]
        indexes = [models.Index(fields=["period", "status"])]
        verbose_name = _("项目月报")

    def __str__(self) -> str:
        return f"{self.project_id} {self.period:%Y-%m}"

    @property
    def late(self) -> bool:
        """Submitted after its deadline (or not submitted and the deadline has passed)."""
        from django.utils import timezone

        if self.submitted_at is not None:
            return timezone.localdate(self.submitted_at) > self.due_on
        return timezone.localdate() > self.due_on


class FilingRevision(models.Model):
    """Every change of a filing: what moved, who, when, and the status it left the filing in."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="revisions")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=FilingStatus.choices)
    changes = models.JSONField(default=dict)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["filing", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.filing_id} {self.action}"


class LightRules(models.Model):
    """One version of the light rules (chanye.projects.lights.RuleSet as data); the newest is in force."""

    rules = models.JSONField(_("规则"))
    note = models.CharField(_("修改说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("红黄绿灯规则")

    def __str__(self) -> str:
        return f"v{self.pk}"


class StageChangeBatch(models.Model):
    """The year-end move of the library (储备 → 新开工 → 续建 → 竣工 → 投产), proposed from the record and applied
    as one reviewed batch."""

    year = models.PositiveSmallIntegerField(_("年度"))  # the year that ends
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("年度阶段调整")

    def __str__(self) -> str:
        return f"{self.year}"


class StageChange(models.Model):
    batch = models.ForeignKey(StageChangeBatch, on_delete=models.CASCADE, related_name="changes")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    from_stage = models.CharField(max_length=12, choices=Stage.choices)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    reason = models.CharField(max_length=300)
    accepted = models.BooleanField(default=True)

    class Meta:
        ordering = ["batch", "project__code"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_stage} → {self.to_stage}"


class ReminderChannel(models.TextChoices):
    INBOX = "inbox", _("站内提醒")
    EMAIL = "email", _("站内提醒和邮件")


class Reminder(models.Model):
    """A reminder to one enterprise user that a project's monthly filing is missing; at most one per project,
    month, person and day. Every reminder is in the recipient's in-app list; `email` is where it was mailed."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reminders")
    period = models.DateField(_("月份"))  # the first day of the month reported on
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("提醒对象"),
    )
    channel = models.CharField(_("方式"), max_length=10, choices=ReminderChannel.choices)
    email = models.EmailField(_("邮箱"), blank=True)
    sent_on = models.DateField(_("提醒日期"))
    sent_at = models.DateTimeField(_("提醒时间"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提醒人"),
    )

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period", "recipient", "sent_on"], name="uniq_reminder_per_day"
            )
        ]
        indexes = [models.Index(fields=["period", "project"]), models.Index(fields=["recipient", "-sent_at"])]
        verbose_name = _("月报催报提醒")

    def __str__(self) -> str:
        return f"{self.project_id} {self.period:%Y-%m} → {self.recipient_id}"


class ProjectChange(models.Model):
    """One change to a project's library record (the project, a year's plan, milestones, special bonds and
    their spend), field by field, for the history on the project page; the audit trail has the same."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=30)
    subject = models.CharField(_("对象"), max_length=100, blank=True)
    changes = models.JSONField(_("变更"), default=dict)  # {label: [before, after]}

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["project", "-at"])]
        verbose_name = _("项目变更")

    def __str__(self) -> str:
        return f"{self.project_id} {self.action} {self.subject}"
