"""People and responsibility: departments, district leaders, offices, task forces, streets,
and the industry ↔ leader ↔ department ↔ office ↔ task force matrix with its history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chanye.core.scoping import ScopedQuerySet


class DepartmentKind(models.TextChoices):
    BUREAU = "bureau", _("行业主管部门")
    OFFICE = "office", _("办公室")
    COMMITTEE = "committee", _("委员会")
    CENTER = "center", _("中心")


class Department(models.Model):
    """A district department (区发改局, 区工信局 …) that leads or supports industries."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(
        _("类型"), max_length=12, choices=DepartmentKind.choices, default=DepartmentKind.BUREAU
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("在用"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_kind = "department"

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.name


class Leader(models.Model):
    """A district leader's post: a role title and portfolio, held by a user account."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    title = models.CharField(_("职务"), max_length=100)
    portfolio = models.TextField(_("分工"), blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("在用"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_kind = "leader"

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("区领导")
        verbose_name_plural = _("区领导")

    def __str__(self) -> str:
        return self.title


class IndustryOffice(models.Model):
    """An industry development office (产业发展办公室), hosted by a department."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    host_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="offices", verbose_name=_("依托部门")
    )
    active = models.BooleanField(_("在用"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_kind = "office"

    class Meta:
        ordering = ["code"]
        verbose_name = _("产业发展办公室")
        verbose_name_plural = _("产业发展办公室")

    def __str__(self) -> str:
        return self.name


class TaskForce(models.Model):
    """A task force (工作专班): a head leader, a lead department and member departments."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    head = models.ForeignKey(
        Leader,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="task_forces",
        verbose_name=_("牵头区领导"),
    )
    lead_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="led_task_forces", verbose_name=_("牵头部门")
    )
    member_departments = models.ManyToManyField(
        Department, blank=True, related_name="task_forces", verbose_name=_("成员单位")
    )
    active = models.BooleanField(_("在用"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_kind = "task_force"

    class Meta:
        ordering = ["code"]
        verbose_name = _("工作专班")
        verbose_name_plural = _("工作专班")

    def __str__(self) -> str:
        return self.name


class Street(models.Model):
    """A street office (街道), the unit that scopes enterprises and projects by location."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_kind = "street"

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("街道")
        verbose_name_plural = _("街道")

    def __str__(self) -> str:
        return self.name


class Responsibility(models.Model):
    """Who answers for an industry over a period: 一产业、一领导、一部门 plus office and task force.

    Changing it closes the current row (valid_to) and opens a new one, so the matrix keeps its history.
    """

    industry = models.ForeignKey(
        "industries.Industry",
        on_delete=models.PROTECT,
        related_name="responsibilities",
        verbose_name=_("产业"),
    )
    leader = models.ForeignKey(
        Leader,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsibilities",
        verbose_name=_("牵头区领导"),
    )
    lead_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_responsibilities",
        verbose_name=_("牵头部门"),
    )
    supporting_departments = models.ManyToManyField(
        Department, blank=True, related_name="supported_responsibilities", verbose_name=_("配合部门")
    )
    office = models.ForeignKey(
        IndustryOffice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsibilities",
        verbose_name=_("产业发展办公室"),
    )
    task_force = models.ForeignKey(
        TaskForce,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsibilities",
        verbose_name=_("工作专班"),
    )
    valid_from = models.DateTimeField(_("生效时间"))
    valid_to = models.DateTimeField(_("失效时间"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=80)
    reason = models.CharField(_("调整原因"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("调整人"),
    )

    objects = ScopedQuerySet.as_manager()
    scope_kind = "responsibility"

    class Meta:
        ordering = ["industry__position", "-valid_from", "-id"]
        verbose_name = _("产业责任")
        verbose_name_plural = _("产业责任")
        constraints = [
            models.UniqueConstraint(
                fields=["industry"],
                condition=Q(valid_to__isnull=True),
                name="one_current_responsibility_per_industry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.industry} · {self.leader} · {self.lead_department}"

    @property
    def is_current(self) -> bool:
        return self.valid_to is None
