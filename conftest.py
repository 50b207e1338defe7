"""Shared fixtures: personas for every role, signed-in clients, the shipped systems loaded."""

from pathlib import Path

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from chanye.accounts.models import User
from chanye.accounts.roles import Role

ROOT = Path(__file__).resolve().parent
SHARED = ROOT.parent / "shared"
PASSWORD = "Chanye-test-2025"

# Property tests assert what they compute, never how fast: Hypothesis's per-example deadline (200 ms) is a
# timed test, and on a shared two-core machine an example with a database round trip can miss it by chance.
hypothesis_settings.register_profile("chanye", deadline=None)
hypothesis_settings.load_profile("chanye")


@pytest.fixture
def systems(db):
    """The shipped Guangzhou 12218 and Tianhe 12126 definitions, loaded as `chanye demo` does."""
    from chanye.industries.services import system_load

    for name in ("gz-12218.yaml", "tianhe-12126.yaml"):
        path = ROOT / "systems" / name
        system_load(text=path.read_text(encoding="utf-8"), filename=f"systems/{name}")
    from chanye.industries.models import IndustrySystem

    return IndustrySystem.objects.get(code="tianhe-12126")


@pytest.fixture
def make_user(db):
    def make(username: str, role: Role, **scope) -> User:
        industries = scope.pop("industries", [])
        user = User(
            username=username,
            role=role.value,
            display_name=username,
            password_changed_at=timezone.now(),
            **scope,
        )
        user.set_password(PASSWORD)
        user.save()
        user.industries.set(industries)
        return user

    return make


@pytest.fixture
def personas(systems, make_user):
    """One user per role, scoped like the demo: alice leads industry, bob works at IIT, …"""
    from chanye.organizations.models import Department, Leader, Street

    return {
        "leader": make_user("leader1", Role.DISTRICT_LEADER, leader=Leader.objects.get(code="L-VP-IND")),
        "other_leader": make_user(
            "leader2", Role.DISTRICT_LEADER, leader=Leader.objects.get(code="L-VP-FIN")
        ),
        "drc": make_user("drc1", Role.DRC_ADMIN, department=Department.objects.get(code="DRC")),
        "dept": make_user("iit1", Role.DEPARTMENT_OFFICER, department=Department.objects.get(code="IIT")),
        "street": make_user("street1", Role.STREET_OFFICER, street=Street.objects.get(code="TH01")),
        "enterprise": make_user("firm1", Role.ENTERPRISE_USER),
        "sysadmin": make_user("sys1", Role.SYSTEM_ADMIN),
        "secadmin": make_user("sec1", Role.SECURITY_ADMIN),
        "auditor": make_user("audit1", Role.AUDIT_ADMIN),
    }


def verify_second_factor(client, user: User) -> None:
    """Mark a signed-in test client's session as having passed the TOTP step, as OtpView does."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()


@pytest.fixture
def login(client):
    """Sign the HTML test client in as a user (with the second factor for administrators)."""

    def sign_in(user: User):
        client.force_login(user)
        if user.needs_second_factor:
            verify_second_factor(client, user)
        return client

    return sign_in


@pytest.fixture
def api_as():
    """An API client authenticated by the user's token."""

    def make(user: User | None) -> APIClient:
        api = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 at production strength makes every test user cost half a second; tests check policy, not cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _reset_task_backends():
    from asgiref.local import Local
    from django.tasks import task_backends

    task_backends.__dict__.pop("settings", None)
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks (imports) run inside the request in tests, so a test sees their result."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    _reset_task_backends()
    yield
    _reset_task_backends()
