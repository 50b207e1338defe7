"""The industrial system as data: systems, their versions, industries and classification editions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chanye.core.scoping import ScopedQuerySet


class ClassificationEdition(models.Model):
    """A built-in classification (GB/T 4754-2017, 战略性新兴产业分类2018, 数字经济分类2021)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    issuer = models.CharField(_("发布机关"), max_length=120, blank=True)
    year = models.PositiveSmallIntegerField(_("年份"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("分类标准")

    def __str__(self) -> str:
        return self.name


class ClassificationCode(models.Model):
    """One code of an edition, with its level and parent code."""

    edition = models.ForeignKey(ClassificationEdition, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("代码"), max_length=12)
    level = models.CharField(_("层级"), max_length=8)
    parent_code = models.CharField(_("上级代码"), max_length=12, blank=True)
    name = models.CharField(_("名称"), max_length=200)
    position = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["edition", "position"]
        verbose_name = _("分类代码")
        constraints = [models.UniqueConstraint(fields=["edition", "code"], name="uniq_classification_code")]
        indexes = [models.Index(fields=["edition", "parent_code"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Category(models.TextChoices):
    STRATEGIC_CLUSTER = "strategic_cluster", _("战略性产业集群")
    FUTURE_INDUSTRY = "future_industry", _("未来产业")
    MODERN_SERVICE = "modern_service", _("现代服务业")


class IndustrySystem(models.Model):
    """A declared industrial system (Tianhe 12126, Guangzhou 12218); its content lives in versions."""

    code = models.SlugField(_("体系代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    region_code = models.CharField(_("行政区划代码"), max_length=6)
    region_name = models.CharField(_("地区"), max_length=60)
    region_level = models.CharField(_("层级"), max_length=10)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    current_version = models.ForeignKey(
        "SystemVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_kind = "system"

    class Meta:
        ordering = ["region_level", "code"]
        verbose_name = _("产业体系")

    def __str__(self) -> str:
        return self.name


class SystemVersion(models.Model):
    """One loaded version of a definition file, kept whole for history, diff and export."""

    system = models.ForeignKey(IndustrySystem, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(_("版本"), max_length=20)
    definition = models.JSONField(_("定义"))
    source_name = models.CharField(_("来源文件"), max_length=255, blank=True)
    source_text = models.TextField(_("原文"), blank=True)
    digest = models.CharField(_("内容摘要"), max_length=64)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now_add=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    objects = ScopedQuerySet.as_manager()
    scope_kind = "system"

    class Meta:
        ordering = ["system", "-loaded_at", "-id"]
        verbose_name = _("体系版本")
        constraints = [models.UniqueConstraint(fields=["system", "version"], name="uniq_system_version")]

    def __str__(self) -> str:
        return f"{self.system.code}@{self.version}"


class Industry(models.Model):
    """A key industry of a system, with the rules that classify enterprises into it."""

    system = models.ForeignKey(IndustrySystem, on_delete=models.PROTECT, related_name="industries")
    code = models.CharField(_("产业代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    description = models.TextField(_("说明"), blank=True)
    parent_node = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="child_nodes",
        verbose_name=_("上级体系节点"),
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    gbt_include = models.JSONField(_("GB/T 4754 纳入"), default=list, blank=True)
    gbt_exclude = models.JSONField(_("GB/T 4754 排除"), default=list, blank=True)
    keywords = models.JSONField(_("经营范围关键词"), default=list, blank=True)
    sei_codes = models.JSONField(_("战略性新兴产业分类"), default=list, blank=True)
    dec_codes = models.JSONField(_("数字经济分类"), default=list, blank=True)
    active = models.BooleanField(_("现行"), default=True)
    introduced_in = models.ForeignKey(SystemVersion, on_delete=models.PROTECT, related_name="+")
    retired_in = models.ForeignKey(
        SystemVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_kind = "industry"

    class Meta:
        ordering = ["system", "position"]
        verbose_name = _("产业")
        verbose_name_plural = _("产业")
        constraints = [models.UniqueConstraint(fields=["system", "code"], name="uniq_industry_code")]

    def __str__(self) -> str:
        return self.name
