"""The enterprise register: enterprises, tags, industry memberships with provenance, liaison and visits,
and the import jobs that feed it."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chanye.core.scoping import ScopedQuerySet
from chanye.enterprises import scale as sizing


class Status(models.TextChoices):
    EXISTING = "existing", _("存续")
    OPERATING = "operating", _("在业")
    MOVED_OUT = "moved_out", _("迁出")
    CANCELLED = "cancelled", _("注销")
    REVOKED = "revoked", _("吊销")


class Scale(models.TextChoices):
    LARGE = sizing.LARGE, _("大型")
    MEDIUM = sizing.MEDIUM, _("中型")
    SMALL = sizing.SMALL, _("小型")
    MICRO = sizing.MICRO, _("微型")
    UNKNOWN = sizing.UNKNOWN, _("未划型")


class Tag(models.Model):
    """A label such as 规上 or 专精特新; tags are data, users add more."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    builtin = models.BooleanField(_("内置"), default=False)
    position = models.PositiveSmallIntegerField(_("顺序"), default=100)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("企业标签")

    def __str__(self) -> str:
        return self.name


class Enterprise(models.Model):
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    # Name search uses a trigram index (PostgreSQL) or an FTS5 trigram table (SQLite): see migration 0002.
    name = models.CharField(_("企业名称"), max_length=200)
    status = models.CharField(_("登记状态"), max_length=12, choices=Status.choices, default=Status.EXISTING)
    registered_on = models.DateField(_("成立日期"), null=True, blank=True)
    capital = models.DecimalField(_("注册资本(万元)"), max_digits=18, decimal_places=4, null=True, blank=True)
    address = models.CharField(_("注册地址"), max_length=255, blank=True)
    street = models.ForeignKey(
        "organizations.Street",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
        verbose_name=_("所属街道"),
        db_index=False,  # the (street, status) index serves it
    )
    gbt_code = models.CharField(_("国民经济行业代码"), max_length=4, blank=True, db_index=True)
    business_scope = models.TextField(_("经营范围"), blank=True)
    revenue = models.DecimalField(_("营业收入(万元)"), max_digits=18, decimal_places=4, null=True, blank=True)
    employees = models.PositiveIntegerField(_("从业人员(人)"), null=True, blank=True)
    assets = models.DecimalField(_("资产总额(万元)"), max_digits=18, decimal_places=4, null=True, blank=True)
    scale = models.CharField(_("企业规模"), max_length=2, choices=Scale.choices, blank=True)
    credit_rating = models.CharField(_("信用等级"), max_length=10, blank=True)
    dishonest = models.BooleanField(_("失信"), default=False)
    dishonest_source = models.CharField(_("失信信息来源"), max_length=100, blank=True)
    dishonest_on = models.DateField(_("失信认定日期"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.CharField(_("联系邮箱"), max_length=100, blank=True)
    uscc_exception = models.CharField(_("代码校验例外原因"), max_length=300, blank=True)
    synthetic = models.BooleanField(_("模拟数据"), default=False)
    tags = models.ManyToManyField(Tag, through="EnterpriseTag", related_name="enterprises", blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_kind = "enterprise"
    scope_distinct = False  # the scope uses subqueries and a one-to-one join: no repeated rows

    class Meta:
        ordering = ["-id"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        indexes = [
            models.Index(fields=["street", "status"]),
            # A street's enterprises newest first, with their names: a street officer's list, and a name
            # fragment too short for the trigram index matched within the street by this index alone.
            models.Index(fields=["street", "id", "name"], name="enterprise_street_newest"),
            models.Index(fields=["status", "-id"]),
            # "Does the register hold synthetic data?" answered without scanning a million rows.
            models.Index(
                fields=["synthetic"], condition=models.Q(synthetic=True), name="enterprise_synthetic"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def sizing(self) -> sizing.Sizing:
        return sizing.classify(
            self.gbt_code, employees=self.employees, revenue=self.revenue, assets=self.assets
        )


class EnterpriseTag(models.Model):
    # The unique (enterprise, tag) and the (tag, enterprise) indexes serve both keys.
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="tag_links", db_index=False
    )
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="links", db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "tag"], name="uniq_enterprise_tag")]
        indexes = [models.Index(fields=["tag", "enterprise"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id}:{self.tag_id}"


class FormerName(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="former_names")
    name = models.CharField(_("曾用名"), max_length=200, db_index=True)
    until = models.DateField(_("使用至"), null=True, blank=True)

    class Meta:
        ordering = ["-until", "-id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "name"], name="uniq_former_name")]

    def __str__(self) -> str:
        return self.name


class EnterpriseChange(models.Model):
    """One change to an enterprise, field by field, for its history panel."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    source = models.CharField(_("来源"), max_length=80)
    changes = models.JSONField(_("变更"))  # {field: [before, after]}

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["enterprise", "-at"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.at:%Y-%m-%d %H:%M} {self.source}"


class RuleKind(models.TextChoices):
    GBT = "gbt", _("行业代码")
    KEYWORD = "keyword", _("经营范围关键词")
    MANUAL = "manual", _("人工认定")


class Membership(models.Model):
    """An enterprise belongs to an industry, with the rule and definition version that put it there."""

    # The unique (enterprise, industry) and the (industry, enterprise) indexes serve both keys.
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="memberships", db_index=False
    )
    industry = models.ForeignKey(
        "industries.Industry", on_delete=models.PROTECT, related_name="memberships", db_index=False
    )
    kind = models.CharField(_("依据类型"), max_length=10, choices=RuleKind.choices)
    rule = models.CharField(_("依据"), max_length=200)
    version = models.ForeignKey(
        "industries.SystemVersion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("体系版本"),
        db_index=False,  # versions are few and never deleted; no lookup goes this way
    )
    assigned_at = models.DateTimeField(_("认定时间"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "industry"], name="uniq_membership")]
        indexes = [models.Index(fields=["industry", "enterprise"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} ∈ {self.industry_id}: {self.rule}"


class OverrideAction(models.TextChoices):
    INCLUDE = "include", _("纳入")
    EXCLUDE = "exclude", _("排除")


class MembershipOverride(models.Model):
    """A hand decision that beats the rules, kept across re-runs, with its reason."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="overrides")
    industry = models.ForeignKey("industries.Industry", on_delete=models.PROTECT, related_name="overrides")
    action = models.CharField(_("操作"), max_length=10, choices=OverrideAction.choices)
    reason = models.CharField(_("原因"), max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "industry"], name="uniq_membership_override")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.action} {self.industry_id}"


class Liaison(models.Model):
    """挂点联系: a key enterprise assigned to a district leader and a service department."""

    enterprise = models.OneToOneField(Enterprise, on_delete=models.CASCADE, related_name="liaison")
    leader = models.ForeignKey(
        "organizations.Leader", on_delete=models.PROTECT, related_name="liaisons", verbose_name=_("挂点领导")
    )
    department = models.ForeignKey(
        "organizations.Department",
        on_delete=models.PROTECT,
        related_name="liaisons",
        verbose_name=_("服务部门"),
    )
    cadence_days = models.PositiveSmallIntegerField(_("走访周期(天)"), default=90)
    since = models.DateField(_("起始日期"))
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("挂点联系")

    def __str__(self) -> str:
        return f"{self.enterprise_id} → {self.leader_id}/{self.department_id}"


class Visit(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("走访日期"))
    department = models.ForeignKey(
        "organizations.Department", on_delete=models.PROTECT, related_name="visits", verbose_name=_("部门")
    )
    leader = models.ForeignKey(
        "organizations.Leader",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("带队领导"),
    )
    visitors = models.CharField(_("走访人员"), max_length=200)
    topics = models.TextField(_("交流事项"))
    requests = models.TextField(_("企业诉求"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["enterprise", "-visited_on"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.visited_on}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("处理中")
    DONE = "done", _("已完成")
    REJECTED = "rejected", _("有错误，未写入")
    FAILED = "failed", _("失败")


class ImportJob(models.Model):
    """One file import: validated whole, then written all or nothing; counts and rejected rows kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=20, default="enterprises")
    filename = models.CharField(_("文件名"), max_length=255)
    stored = models.CharField(max_length=500, blank=True)
    dry_run = models.BooleanField(_("仅校验"), default=False)
    mapping = models.JSONField(_("列映射"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    phase = models.CharField(_("阶段"), max_length=40, blank=True)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    processed = models.PositiveIntegerField(_("已处理"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    rejected = models.PositiveIntegerField(_("拒绝"), default=0)
    message = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_kind = "import_job"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导入任务")

    def __str__(self) -> str:
        return self.filename


class ImportRowError(models.Model):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField(_("行号"))
    column = models.CharField(_("列"), max_length=60)
    value = models.CharField(_("值"), max_length=200, blank=True)
    reason = models.CharField(_("原因"), max_length=300)

    class Meta:
        ordering = ["row", "id"]

    def __str__(self) -> str:
        return f"{self.row} {self.column}: {self.reason}"


class ColumnMapping(models.Model):
    """A saved header → field mapping, for sheets whose headers no synonym covers."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    mapping = models.JSONField(_("列映射"))  # {header text: field}
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
