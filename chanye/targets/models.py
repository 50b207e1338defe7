"""Dated targets of the industrial system (2025 GDP over 6,900 亿元, five clusters at 1,000 亿 by 2035 …): each
on an indicator of the catalogue, for the district or one industry, loaded from the system definition's
`targets:` list or entered on the page, and versioned so a stale edit is refused."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Comparator(models.TextChoices):
    GT = ">", _("超过")
    GE = ">=", _("达到")
    LT = "<", _("低于")
    LE = "<=", _("不高于")
    ABOUT = "~", _("左右")


class Kind(models.TextChoices):
    AMOUNT = "amount", _("总量（按年增速预测）")
    SHARE = "share", _("比重（按百分点变动预测）")
    RATE = "rate", _("增速（围绕均值预测）")


class YearlyRule(models.TextChoices):
    SUM = "sum", _("年内各期之和")
    LAST = "last", _("年末一期的累计值")


class Source(models.TextChoices):
    DEFINITION = "definition", _("体系定义")
    EDITED = "edited", _("页面修改")
    CREATED = "created", _("页面新增")


class TargetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """District targets for every government role; an industry's targets for those with the industry in
        scope (leaders their industries, a department those it leads or supports, the 发改局 and streets all);
        never a target on an indicator the user may not see (限定范围)."""
        from chanye.accounts.scopes import industry_ids
        from chanye.indicators.models import Indicator

        if user is None or not user.is_authenticated or not user.can("system.view"):
            return self.none()
        queryset = self.filter(indicator__in=Indicator.objects.visible_to(user))
        industries = industry_ids(user)
        if industries is None:
            return queryset
        return queryset.filter(Q(industry__isnull=True) | Q(industry_id__in=industries))


class Target(models.Model):
    """A dated target: the indicator of the district (`industry` empty) or of one industry reaching `value` in
    `year` by `comparator`, with the probability bands its status uses and an optional baseline."""

    system = models.ForeignKey(
        "industries.IndustrySystem",
        on_delete=models.PROTECT,
        related_name="targets",
        verbose_name=_("产业体系"),
    )
    industry = models.ForeignKey(
        "industries.Industry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
        verbose_name=_("产业"),
    )
    indicator = models.ForeignKey(
        "indicators.Indicator", on_delete=models.PROTECT, related_name="targets", verbose_name=_("指标")
    )
    year = models.PositiveSmallIntegerField(_("目标年份"))
    value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4)
    comparator = models.CharField(_("比较"), max_length=2, choices=Comparator.choices, default=Comparator.GE)
    tolerance = models.DecimalField(
        _("“左右”的容差"),
        max_digits=12,
        decimal_places=4,
        default=Decimal("0.5"),
        help_text=_("按指标单位，低于目标值不超过此数即算达到"),
    )
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    kind = models.CharField(_("预测方式"), max_length=10, choices=Kind.choices)
    yearly_rule = models.CharField(_("年度数取法"), max_length=10, choices=YearlyRule.choices)
    band_on_track = models.DecimalField(
        _("正常的达成概率下限"), max_digits=4, decimal_places=3, default=Decimal("0.5")
    )
    band_warning = models.DecimalField(
        _("预警的达成概率下限"), max_digits=4, decimal_places=3, default=Decimal("0.2")
    )
    baseline_year = models.PositiveSmallIntegerField(_("基期年份"), null=True, blank=True)
    baseline_value = models.DecimalField(_("基期值"), max_digits=20, decimal_places=4, null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, default=Source.CREATED)
    definition_key = models.CharField(
        _("定义中的键"), max_length=120, blank=True
    )  # indicator/scope/year/comparator
    definition_entry = models.JSONField(_("定义原文"), null=True, blank=True)  # as last applied
    active = models.BooleanField(_("有效"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["year", "id"]
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        constraints = [
            models.UniqueConstraint(
                fields=["system", "definition_key"],
                condition=~Q(definition_key=""),
                name="uniq_target_definition",
            ),
            models.CheckConstraint(
                condition=Q(band_warning__gte=0)
                & Q(band_warning__lte=models.F("band_on_track"))
                & Q(band_on_track__lte=1),
                name="target_bands_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_label} {self.indicator.name} {self.year}"

    @property
    def scope_code(self) -> str:
        return self.industry.code if self.industry_id else "district"

    @property
    def scope_label(self) -> str:
        return self.industry.name if self.industry_id else str(_("全区"))
