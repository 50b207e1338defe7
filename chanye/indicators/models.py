"""Indicators: the catalogue (口径, unit, frequency, direction, source, owner, confidentiality) and the
observations at district, industry and enterprise level, each traceable to where it came from, with every
earlier value kept when a figure is revised (preliminary → final)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class Confidentiality(models.TextChoices):
    PUBLIC = "public", _("公开")
    INTERNAL = "internal", _("内部")
    RESTRICTED = "restricted", _("限定范围")


class Level(models.TextChoices):
    DISTRICT = "district", _("全区")
    INDUSTRY = "industry", _("产业")
    ENTERPRISE = "enterprise", _("企业")


class Status(models.TextChoices):
    PRELIMINARY = "preliminary", _("初步")
    FINAL = "final", _("最终")


class Basis(models.TextChoices):
    OFFICIAL = "official", _("官方统计")
    REPORTED = "reported", _("企业报送")
    ESTIMATED = "estimated", _("推算")


class SourceType(models.TextChoices):
    IMPORT = "import", _("导入任务")
    FILING = "filing", _("项目月报")
    FILE = "file", _("文件")
    MANUAL = "manual", _("手工录入")
    DEMO = "demo", _("演示数据")


class IndicatorQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The government roles see the catalogue; an indicator of restricted confidentiality only the
        发改局, district leaders and its owner department."""
        from chanye.indicators.scoping import indicator_condition

        condition = indicator_condition(user)
        if condition is None:
            return self.none()
        return self.all() if condition is True else self.filter(condition)


class Indicator(models.Model):
    """One indicator of the catalogue. `additive`: enterprise figures add up to industry and district ones."""

    code = models.SlugField(_("指标代码"), max_length=40, unique=True)
    name = models.CharField(_("指标名称"), max_length=100)
    definition = models.TextField(_("统计口径"), blank=True)
    unit = models.CharField(_("计量单位"), max_length=20)
    frequency = models.CharField(_("频度"), max_length=10, choices=Frequency.choices)
    direction = models.CharField(
        _("方向"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    source = models.CharField(_("数据来源"), max_length=100, blank=True)
    owner = models.ForeignKey(
        "organizations.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
        verbose_name=_("责任部门"),
    )
    confidentiality = models.CharField(
        _("密级"), max_length=12, choices=Confidentiality.choices, default=Confidentiality.INTERNAL
    )
    levels = models.JSONField(_("统计层级"), default=list)  # of Level values
    additive = models.BooleanField(_("可加总"), default=False)
    position = models.PositiveSmallIntegerField(_("顺序"), default=100)
    builtin = models.BooleanField(_("内置"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")

    def __str__(self) -> str:
        return self.name


class ObservationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """District figures for the government roles; industry figures of the industries in scope;
        enterprise figures of the enterprises in scope — all within what the indicator's confidentiality allows."""
        from chanye.indicators.scoping import observation_condition

        condition = observation_condition(user)
        if condition is None:
            return self.none()
        return self.all() if condition is True else self.filter(condition)


class Observation(models.Model):
    """The current value of an indicator for one subject (the district, an industry or an enterprise) and
    one period (the date it starts). Earlier values stay in `revisions`."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="observations")
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    industry = models.ForeignKey(
        "industries.Industry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="observations",
        verbose_name=_("产业"),
        db_index=False,  # the (industry, indicator, period) partial unique index serves it
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="observations",
        verbose_name=_("企业"),
        db_index=False,  # the (enterprise, indicator, period) partial unique index serves it
    )
    period = models.DateField(_("期间"))  # the first day of the month, quarter or year
    frequency = models.CharField(_("频度"), max_length=10, choices=Frequency.choices)
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.FINAL)
    basis = models.CharField(_("性质"), max_length=10, choices=Basis.choices, default=Basis.OFFICIAL)
    source_type = models.CharField(_("来源类型"), max_length=10, choices=SourceType.choices)
    source_ref = models.CharField(_("来源"), max_length=200, blank=True)  # job id, project/month, file name
    note = models.CharField(_("说明"), max_length=300, blank=True)
    synthetic = models.BooleanField(_("模拟数据"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    objects = ObservationQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "level", "-period"]
        verbose_name = _("指标数据")
        verbose_name_plural = _("指标数据")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "frequency"],
                condition=Q(level="district"),
                name="uniq_observation_district",
            ),
            models.UniqueConstraint(
                fields=["industry", "indicator", "period", "frequency"],
                condition=Q(level="industry"),
                name="uniq_observation_industry",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "indicator", "period", "frequency"],
                condition=Q(level="enterprise"),
                name="uniq_observation_enterprise",
            ),
            models.CheckConstraint(
                condition=(Q(level="district") & Q(industry__isnull=True) & Q(enterprise__isnull=True))
                | (Q(level="industry") & Q(industry__isnull=False) & Q(enterprise__isnull=True))
                | (Q(level="enterprise") & Q(industry__isnull=True) & Q(enterprise__isnull=False)),
                name="observation_subject_matches_level",
            ),
        ]
        # Aggregation reads one indicator's enterprise rows over a range of periods.
        indexes = [models.Index(fields=["indicator", "level", "frequency", "period"])]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.level} {self.period}"

    @property
    def subject_label(self) -> str:
        if self.level == Level.INDUSTRY and self.industry is not None:
            return self.industry.name
        if self.level == Level.ENTERPRISE and self.enterprise is not None:
            return self.enterprise.name
        return str(Level.DISTRICT.label)

    @property
    def period_label(self) -> str:
        from chanye.indicators.periods import label

        return label(self.period, self.frequency)

    @property
    def source_url(self) -> str:
        """Where the figure came from, when the platform holds it: the import job or the monthly filing."""
        if self.source_type == SourceType.IMPORT and self.source_ref:
            return f"/indicators/imports/{self.source_ref}/"
        if self.source_type == SourceType.FILING and "/" in self.source_ref:
            code, _slash, month = self.source_ref.partition("/")
            return f"/projects/{code}/filings/{month}/"
        return ""


class ObservationRevision(models.Model):
    """A value an observation held before it was revised, with where it came from and who replaced it."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField(_("版本"))
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    basis = models.CharField(_("性质"), max_length=10, choices=Basis.choices)
    source_type = models.CharField(_("来源类型"), max_length=10, choices=SourceType.choices)
    source_ref = models.CharField(_("来源"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"))
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replaced_at = models.DateTimeField(_("修订时间"))
    reason = models.CharField(_("修订原因"), max_length=300, blank=True)

    class Meta:
        ordering = ["observation", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["observation", "version"], name="uniq_observation_revision")
        ]
        verbose_name = _("指标数据修订")

    def __str__(self) -> str:
        return f"{self.observation_id} v{self.version}"


class Rollup(models.Model):
    """An industry or district figure added up from enterprise figures (the counting rule of the selectors),
    kept by `chanye.indicators.rollups` in the transaction of every write of enterprise figures, so pages
    read a few rows instead of adding up millions per request."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+", db_index=False)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)  # district or industry
    industry = models.ForeignKey(
        "industries.Industry",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    frequency = models.CharField(_("频度"), max_length=10, choices=Frequency.choices)
    period = models.DateField(_("期间"))
    total = models.DecimalField(_("合计"), max_digits=28, decimal_places=4)
    firms = models.PositiveIntegerField(_("企业数"))

    class Meta:
        verbose_name = _("指标汇总")
        verbose_name_plural = _("指标汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "frequency", "period"],
                condition=Q(level="district"),
                name="uniq_rollup_district",
            ),
            models.UniqueConstraint(
                fields=["indicator", "frequency", "industry", "period"],
                condition=Q(level="industry"),
                name="uniq_rollup_industry",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "frequency", "level", "period"])]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.level} {self.industry_id or ''} {self.period}"


class RollupMark(models.Model):
    """Industry figures waiting to be added up again after memberships changed (industry null: every
    rollup, e.g. before the first build). While marked, the selectors add those figures up live."""

    industry = models.ForeignKey(
        "industries.Industry", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=100, blank=True)
    marked_at = models.DateTimeField(_("标记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("待重算的指标汇总")
        verbose_name_plural = _("待重算的指标汇总")

    def __str__(self) -> str:
        return f"{self.industry_id or 'all'} {self.reason}"
