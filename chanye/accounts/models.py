"""Accounts: one role per user, the scope it is bound to, and the password and lockout state."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from chanye.accounts.roles import ADMINISTRATORS, ROLE_LABELS, Role, role_has
from chanye.core.scoping import ScopedQuerySet

ROLE_CHOICES = [(role.value, gettext_lazy(label)) for role, label in ROLE_LABELS.items()]


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person who signs in; `role` says what they may do and the scope fields what they may see."""

    role = models.CharField(_("角色"), max_length=20, choices=ROLE_CHOICES)
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    department = models.ForeignKey(
        "organizations.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("所属部门"),
    )
    leader = models.ForeignKey(
        "organizations.Leader",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("区领导职务"),
    )
    street = models.ForeignKey(
        "organizations.Street",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("所属街道"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("所属企业"),
    )
    industries = models.ManyToManyField(
        "industries.Industry", blank=True, related_name="scoped_users", verbose_name=_("负责产业")
    )
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    failed_logins = models.PositiveSmallIntegerField(_("连续失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    objects = ScopedUserManager()  # type: ignore[misc]
    scope_kind = "user"

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def can(self, permission: str) -> bool:
        """Whether this user's role grants `permission` (see chanye.accounts.roles)."""
        return self.is_active and role_has(self.role, permission)

    @property
    def role_label(self) -> str:
        return gettext(ROLE_LABELS[Role(self.role)]) if self.role else ""

    @property
    def needs_second_factor(self) -> bool:
        return self.role in {r.value for r in ADMINISTRATORS}


class PasswordHistory(models.Model):
    """Hashes of a user's earlier passwords, so the last few are not reused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.created_at:%Y-%m-%d}"
