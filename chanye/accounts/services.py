"""Writes for accounts: sign-in with lockout, password changes with history, role and scope changes."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from chanye.accounts.models import PasswordHistory, User
from chanye.accounts.roles import Role
from chanye.audit.services import audit_record


class LoginRefused(Exception):
    """Sign-in refused, with the message to show."""


def login_check(*, request, username: str, password: str) -> User:
    """The user whose password this is, counting failures and locking after the configured limit.

    Each attempt is counted before its password is tested and settled after, in two short transactions:
    the password hash (a deliberate fraction of a second) runs with no lock held, so sign-ins neither queue
    behind one another nor, on SQLite, keep everyone else's saves waiting; and no more than the limit of
    passwords is ever tested between two lockouts, however many attempts arrive at once. Failures are
    committed before the refusal is raised, so the count and the audit survive.
    """
    username = username.strip()
    claimed = _login_claim(username=username)
    if isinstance(claimed, str):
        raise LoginRefused(claimed)
    authenticated = authenticate(request, username=username, password=password)
    outcome = _login_settle(username=username, counted=claimed is not None, authenticated=authenticated)
    if isinstance(outcome, str):
        raise LoginRefused(outcome)
    return outcome


def _locked_message(user: User, now) -> str:
    minutes = int((user.locked_until - now).total_seconds() // 60) + 1
    return f"账号已锁定，请 {minutes} 分钟后再试或联系安全管理员解锁。"


@transaction.atomic
def _login_claim(*, username: str) -> User | str | None:
    """Refuse a locked account; otherwise count the attempt as a failure until its password proves right.
    Returns the counted account, None for an unknown or inactive one (nothing to count), or the refusal."""
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None or not user.is_active:
        return None
    now = timezone.now()
    if user.locked_until and user.locked_until > now:
        audit_record(actor=username, action="login.refused_locked", obj=user)
        return _locked_message(user, now)
    if user.failed_logins >= settings.LOGIN_FAILURE_LIMIT:  # that many attempts are being tested right now
        audit_record(actor=username, action="login.refused_locked", obj=user, message="too many at once")
        return "登录尝试过于频繁，请稍后再试。"
    user.failed_logins += 1
    user.save(update_fields=["failed_logins"])
    return user


@transaction.atomic
def _login_settle(*, username: str, counted: bool, authenticated: User | None) -> User | str:
    user = User.objects.select_for_update().filter(username=username).first()
    now = timezone.now()
    if authenticated is None:
        if user is None:
            audit_record(actor=username, action="login.failed", message="unknown username")
            return "用户名或密码错误。"
        if not user.is_active or not counted:
            audit_record(actor=username, action="login.failed", obj=user, message="inactive account")
            return "用户名或密码错误。"
        audit_record(
            actor=username, action="login.failed", obj=user, after={"failed_logins": user.failed_logins}
        )
        if user.locked_until and user.locked_until > now:  # locked by another attempt meanwhile
            return _locked_message(user, now)
        if user.failed_logins >= settings.LOGIN_FAILURE_LIMIT:
            user.locked_until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            user.failed_logins = 0
            user.save(update_fields=["failed_logins", "locked_until"])
            audit_record(
                actor=username, action="account.locked", obj=user, after={"locked_until": user.locked_until}
            )
            return (
                f"连续 {settings.LOGIN_FAILURE_LIMIT} 次密码错误，账号已锁定 "
                f"{settings.LOGIN_LOCKOUT_MINUTES} 分钟。"
            )
        return f"用户名或密码错误，再错 {settings.LOGIN_FAILURE_LIMIT - user.failed_logins} 次账号将被锁定。"
    assert user is not None and user.pk == authenticated.pk
    if user.locked_until and user.locked_until > now:  # another attempt's failures locked it meanwhile
        audit_record(actor=username, action="login.refused_locked", obj=user)
        return _locked_message(user, now)
    authenticated.failed_logins = 0  # the instance authenticate() marked with its backend
    authenticated.locked_until = None
    authenticated.save(update_fields=["failed_logins", "locked_until"])
    audit_record(actor=authenticated, action="login.password_ok", obj=authenticated)
    return authenticated


def password_expired(user: User) -> bool:
    if settings.PASSWORD_EXPIRY_DAYS <= 0:
        return False
    changed = user.password_changed_at
    return changed is None or changed < timezone.now() - timedelta(days=settings.PASSWORD_EXPIRY_DAYS)


@transaction.atomic
def password_set(*, user: User, new_password: str, by: User | None) -> None:
    """Set a password after the policy check; the old hash goes to history."""
    validate_password(new_password, user)
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
    user.set_password(new_password)
    user.password_changed_at = timezone.now() if by is None or by == user else None
    user.save(update_fields=["password", "password_changed_at"])
    stale = user.password_history.values_list("id", flat=True)[settings.PASSWORD_HISTORY :]
    PasswordHistory.objects.filter(id__in=list(stale)).delete()
    audit_record(
        actor=by or user, action="password.change" if by in (None, user) else "password.reset", obj=user
    )


@transaction.atomic
def user_create(*, by: User, username: str, display_name: str, role: str) -> tuple[User, str]:
    """A new account with a one-time password that must be changed at first sign-in (系统管理员)."""
    if not by.can("accounts.manage"):
        raise PermissionDenied("只有系统管理员可以创建账号")
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": "该用户名已存在"})
    Role(role)
    user = User(username=username, display_name=display_name, role=role)
    user.full_clean(exclude=["password"])
    temporary = _temporary_password()
    user.set_password(temporary)
    user.save()
    audit_record(actor=by, action="user.create", obj=user, after={"username": username, "role": role})
    return user, temporary


def _temporary_password() -> str:
    return f"Cy-{secrets.token_urlsafe(9)}7a"


@transaction.atomic
def user_set_active(*, by: User, user: User, active: bool) -> User:
    if not by.can("accounts.manage"):
        raise PermissionDenied("只有系统管理员可以启用或停用账号")
    if user == by:
        raise ValidationError("不能停用自己的账号")
    before = user.is_active
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(
        actor=by,
        action="user.activate" if active else "user.deactivate",
        obj=user,
        before={"is_active": before},
        after={"is_active": active},
    )
    return user


@transaction.atomic
def user_assign(
    *, by: User, user: User, role: str, department=None, leader=None, street=None, industries=()
) -> User:
    """Set a user's role and data scope (安全管理员). Administrators cannot change their own role."""
    if not by.can("accounts.assign"):
        raise PermissionDenied("只有安全管理员可以分配角色和数据范围")
    if user == by:
        raise ValidationError("不能修改自己的角色")
    role = Role(role).value
    errors = {}
    if role == Role.DISTRICT_LEADER and leader is None:
        errors["leader"] = "区领导角色须关联区领导职务"
    if role == Role.DEPARTMENT_OFFICER and department is None and not industries:
        errors["department"] = "部门经办人须关联部门或产业"
    if role == Role.STREET_OFFICER and street is None:
        errors["street"] = "街道经办人须关联街道"
    if errors:
        raise ValidationError(errors)
    before = _scope_snapshot(user)
    user.role, user.department, user.leader, user.street = role, department, leader, street
    user.save(update_fields=["role", "department", "leader", "street"])
    user.industries.set(industries)
    audit_record(actor=by, action="user.assign", obj=user, before=before, after=_scope_snapshot(user))
    return user


def _scope_snapshot(user: User) -> dict:
    return {
        "role": user.role,
        "department": user.department_id,
        "leader": user.leader_id,
        "street": user.street_id,
        "industries": sorted(user.industries.values_list("code", flat=True)),
    }


@transaction.atomic
def user_unlock(*, by: User, user: User) -> User:
    if not by.can("accounts.assign"):
        raise PermissionDenied("只有安全管理员可以解锁账号")
    user.locked_until = None
    user.failed_logins = 0
    user.save(update_fields=["locked_until", "failed_logins"])
    audit_record(actor=by, action="account.unlock", obj=user)
    return user


@transaction.atomic
def totp_device_for(user: User) -> TOTPDevice:
    """The user's TOTP device, unconfirmed and new if they have none yet."""
    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def totp_verify(*, user: User, device: TOTPDevice, token: str) -> bool:
    """Check a code; the first good code confirms the enrolment. Failures slow further tries
    (django-otp's throttling); `totp_wait_seconds` says how long."""
    token = token.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789")).replace(" ", "")
    ok = token.isdigit() and device.verify_token(token)
    audit_record(actor=user, action="otp.verified" if ok else "otp.failed", obj=user)
    if ok and not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=user, action="otp.enrolled", obj=user)
    return ok


def totp_wait_seconds(device: TOTPDevice) -> int:
    """Seconds until the device accepts another try (0 when it does now)."""
    allowed, details = device.verify_is_allowed()
    if allowed:
        return 0
    until = (details or {}).get("locked_until")
    return max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
