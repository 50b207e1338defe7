"""Value added: the editable table of value-added rates per GB/T 4754 division (with every earlier value kept),
and the estimates made from it — each run's figures, scale factor and shares, as the page and the API show them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ValueAddedRate(models.Model):
    """The value-added rate of one GB/T 4754-2017 division (value added ÷ revenue); for wholesale and retail
    (51, 52) the rate of the gross margin, with `margin_rate` (gross margin ÷ sales)."""

    division = models.CharField(_("行业大类"), max_length=2, unique=True)
    name = models.CharField(_("大类名称"), max_length=100)
    rate = models.DecimalField(_("增加值率"), max_digits=6, decimal_places=4)
    margin_rate = models.DecimalField(_("毛利率"), max_digits=6, decimal_places=4, null=True, blank=True)
    source = models.TextField(_("来源"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["division"]
        verbose_name = _("增加值率")
        verbose_name_plural = _("增加值率")

    def __str__(self) -> str:
        return f"{self.division} {self.name}"


class ValueAddedRateRevision(models.Model):
    """A rate a division held before it was edited, who set it and who replaced it."""

    rate_row = models.ForeignKey(ValueAddedRate, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField(_("版本"))
    rate = models.DecimalField(_("增加值率"), max_digits=6, decimal_places=4)
    margin_rate = models.DecimalField(_("毛利率"), max_digits=6, decimal_places=4, null=True, blank=True)
    source = models.TextField(_("来源"), blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(_("设定时间"))
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replaced_at = models.DateTimeField(_("修改时间"))
    reason = models.CharField(_("修改原因"), max_length=300, blank=True)

    class Meta:
        ordering = ["rate_row", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["rate_row", "version"], name="uniq_value_added_rate_revision")
        ]
        verbose_name = _("增加值率修改记录")

    def __str__(self) -> str:
        return f"{self.rate_row_id} v{self.version}"


class EstimateRun(models.Model):
    """One estimate of a year's value added: the inputs' totals, the scale factor to GDP, the industry and
    division figures and the three shares with their numerators, denominators and contributing divisions."""

    year = models.PositiveSmallIntegerField(_("年份"))
    months = models.PositiveSmallIntegerField(_("营业收入覆盖月数"))
    partial_weight = models.DecimalField(_("部分归属行业的计入权重"), max_digits=4, decimal_places=3)
    firms = models.PositiveIntegerField(_("参与推算的企业数"))
    revenue = models.DecimalField(_("营业收入合计(万元)"), max_digits=20, decimal_places=4)
    unrated_firms = models.PositiveIntegerField(_("缺增加值率的企业数"), default=0)
    unrated_revenue = models.DecimalField(_("其营业收入(万元)"), max_digits=20, decimal_places=4, default=0)
    estimate = models.DecimalField(_("推算增加值合计(亿元，未校准)"), max_digits=20, decimal_places=4)
    gdp = models.DecimalField(_("地区生产总值(亿元，官方)"), max_digits=20, decimal_places=4, null=True)
    scale = models.DecimalField(_("校准系数"), max_digits=20, decimal_places=6, null=True)
    figures = models.JSONField(_("推算结果"), default=dict)  # industries, divisions, shares; see services
    recorded = models.BooleanField(_("已写入指标"), default=False)
    counts = models.JSONField(_("写入情况"), default=dict)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    synthetic = models.BooleanField(_("模拟数据"), default=False)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    run_at = models.DateTimeField(_("推算时间"))

    class Meta:
        ordering = ["-year", "-run_at", "-id"]
        indexes = [models.Index(fields=["year", "run_at"])]
        verbose_name = _("增加值推算")
        verbose_name_plural = _("增加值推算")

    def __str__(self) -> str:
        return f"{self.year} @ {self.run_at:%Y-%m-%d %H:%M}"

    @property
    def coverage(self):
        """The unscaled estimate as a percentage of GDP: how much of the economy the enterprises cover."""
        if self.gdp is None or not self.gdp:
            return None
        return self.estimate / self.gdp * 100

    @property
    def thin(self) -> bool:
        """The enterprises cover under half of GDP: the shares describe them rather than the district."""
        coverage = self.coverage
        return coverage is not None and coverage < 50

    @property
    def source_ref(self) -> str:
        return f"va-estimate/{self.year}"
