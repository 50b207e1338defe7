"""Sign-in: lockout after repeated failures, TOTP for administrators, idle timeout, separated duties."""

import base64
from datetime import timedelta

import pyotp
import pytest
from django.conf import settings
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from chanye.accounts.models import User
from chanye.accounts.roles import Role
from chanye.audit.models import AuditEvent
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def post_login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


@override_settings(LOGIN_FAILURE_LIMIT=5, LOGIN_LOCKOUT_MINUTES=30)
def test_five_failures_lock_the_account_and_are_audited(make_user, client):
    make_user("alice", Role.DEPARTMENT_OFFICER)
    for attempt in range(1, 5):
        response = post_login(client, "alice", "wrong-password")
        assert response.status_code == 400
        assert f"再错 {5 - attempt} 次" in response.content.decode()
    response = post_login(client, "alice", "wrong-password")
    assert "账号已锁定 30 分钟" in response.content.decode()
    response = post_login(client, "alice", PASSWORD)  # the right password no longer helps
    assert response.status_code == 400 and "账号已锁定" in response.content.decode()
    actions = list(AuditEvent.objects.filter(actor_name="alice").values_list("action", flat=True))
    assert (
        actions.count("login.failed") == 5
        and "account.locked" in actions
        and "login.refused_locked" in actions
    )


def test_attempts_in_flight_count_before_their_password_is_tested(make_user, client):
    """As many attempts as the limit are being tested at once (counted, not yet settled): the next one is
    refused without testing its password, even the right one, so no more passwords are tried than the limit."""
    alice = make_user("alice", Role.DEPARTMENT_OFFICER)
    User.objects.filter(pk=alice.pk).update(failed_logins=settings.LOGIN_FAILURE_LIMIT)
    response = post_login(client, "alice", PASSWORD)
    assert response.status_code == 400 and "登录尝试过于频繁" in response.content.decode()
    # once they settle (here: a success resets the count), the right password signs in
    User.objects.filter(pk=alice.pk).update(failed_logins=settings.LOGIN_FAILURE_LIMIT - 1)
    assert post_login(client, "alice", PASSWORD).status_code == 302
    alice.refresh_from_db()
    assert alice.failed_logins == 0 and alice.locked_until is None


def test_security_admin_unlocks(make_user, client, login):
    alice = make_user("alice", Role.DEPARTMENT_OFFICER)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        post_login(client, "alice", "nope")
    secadmin = make_user("sec", Role.SECURITY_ADMIN)
    login(secadmin).post(f"/accounts/users/{alice.pk}/", {"action": "unlock"})
    client.logout()
    assert post_login(client, "alice", PASSWORD).status_code == 302


def test_unknown_user_gets_the_same_message_as_a_wrong_password(client):
    response = post_login(client, "nobody", "whatever")
    assert "用户名或密码错误" in response.content.decode()


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_administrators_must_pass_totp_before_any_page(make_user, client):
    auditor = make_user("aud", Role.AUDIT_ADMIN)
    response = post_login(client, "aud", PASSWORD)
    assert response.status_code == 302 and response.url.startswith("/accounts/otp/")
    assert client.get("/audit/").url.startswith("/accounts/otp/")
    page = client.get("/accounts/otp/").content.decode()
    assert "<svg" in page  # enrolment QR code on first use
    device = TOTPDevice.objects.get(user=auditor)
    assert client.post("/accounts/otp/", {"token": "000000"}).status_code == 400
    code = pyotp.TOTP(base64.b32encode(device.bin_key).decode()).now()
    assert client.post("/accounts/otp/", {"token": code}).status_code == 302
    assert client.get("/audit/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_repeated_wrong_codes_are_throttled_with_a_clear_message(make_user, client):
    auditor = make_user("aud", Role.AUDIT_ADMIN)
    post_login(client, "aud", PASSWORD)
    client.get("/accounts/otp/")
    device = TOTPDevice.objects.get(user=auditor)
    client.post("/accounts/otp/", {"token": "000000"})
    code = pyotp.TOTP(base64.b32encode(device.bin_key).decode()).now()
    response = client.post("/accounts/otp/", {"token": code})
    assert response.status_code == 400 and "尝试过于频繁" in response.content.decode()


def test_api_session_of_an_unverified_administrator_is_not_accepted(make_user, client):
    make_user("sys", Role.SYSTEM_ADMIN)
    post_login(client, "sys", PASSWORD)
    assert client.get("/api/v1/users/").status_code == 401


def test_non_administrators_sign_in_with_password_only(make_user, client):
    make_user("bob", Role.DEPARTMENT_OFFICER)
    response = post_login(client, "bob", PASSWORD)
    assert response.status_code == 302 and not response.url.startswith("/accounts/otp/")


def _expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).expire_date


def test_idle_session_ends_thirty_minutes_after_the_latest_request(make_user, client):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    make_user("bob", Role.DEPARTMENT_OFFICER)
    post_login(client, "bob", PASSWORD)
    signed_in = _expiry(client)
    assert abs((signed_in - timezone.now()).total_seconds() - 30 * 60) < 60
    # pages read within the refresh interval do not write the session
    assert client.get("/accounts/profile/").status_code == 200
    assert _expiry(client) == signed_in
    # a request after the interval moves the expiry forward
    session = client.session
    session["_touched"] -= settings.SESSION_REFRESH_SECONDS
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=signed_in - timedelta(minutes=5)
    )
    assert client.get("/accounts/profile/").status_code == 200
    assert _expiry(client) > signed_in - timedelta(minutes=1)
    # once past its expiry the session is gone: the next page asks to sign in
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_disabled_or_changed_account_loses_its_open_session_at_the_next_page(make_user, client):
    bob = make_user("bob", Role.DEPARTMENT_OFFICER)
    post_login(client, "bob", PASSWORD)
    assert client.get("/accounts/profile/").status_code == 200
    type(bob).objects.filter(pk=bob.pk).update(is_active=False)
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")

    carol = make_user("carol", Role.DEPARTMENT_OFFICER)
    post_login(client, "carol", PASSWORD)
    assert client.get("/accounts/profile/").status_code == 200
    carol.set_password("Another-Passw0rd-2025")  # changed elsewhere: the session's hash no longer matches
    carol.save(update_fields=["password"])
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_signing_out_leaves_no_session_behind(make_user, client):
    from django.contrib.sessions.models import Session

    make_user("bob", Role.DEPARTMENT_OFFICER)
    post_login(client, "bob", PASSWORD)
    assert Session.objects.count() == 1
    client.post("/accounts/logout/")
    assert Session.objects.count() == 0


def test_separated_duties(personas, login, api_as):
    target = personas["dept"]
    sysadmin, secadmin, auditor = personas["sysadmin"], personas["secadmin"], personas["auditor"]
    # system administrator creates accounts but cannot assign roles
    created = api_as(sysadmin).post(
        "/api/v1/users/",
        {"username": "newbie", "display_name": "新人", "role": "department_officer"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["temporary_password"]
    assert (
        api_as(sysadmin)
        .post(f"/api/v1/users/{target.pk}/assign/", {"role": "drc_admin"}, format="json")
        .status_code
        == 403
    )
    # security administrator assigns roles and scopes but cannot create accounts
    assert (
        api_as(secadmin)
        .post("/api/v1/users/", {"username": "x1", "display_name": "x", "role": "drc_admin"}, format="json")
        .status_code
        == 403
    )
    assigned = api_as(secadmin).post(
        f"/api/v1/users/{target.pk}/assign/", {"role": "street_officer", "street": "TH02"}, format="json"
    )
    assert assigned.status_code == 200 and assigned.json()["street"] == "TH02"
    # nobody changes their own role
    own = api_as(secadmin).post(f"/api/v1/users/{secadmin.pk}/assign/", {"role": "drc_admin"}, format="json")
    assert own.status_code == 400
    # the audit administrator reads the trail, nothing else
    assert api_as(auditor).get("/api/v1/users/").status_code == 403
    assert api_as(auditor).get("/api/v1/audit-events/").status_code == 200
    assert api_as(sysadmin).get("/api/v1/audit-events/").status_code == 403
    assert api_as(secadmin).get("/api/v1/industries/").status_code == 403
    actions = set(
        api_as(auditor).get("/api/v1/audit-events/", {"action": "user."}).json()["results"][0].keys()
    )
    assert "before" in actions


def test_a_new_account_must_change_its_temporary_password(personas, client):
    from chanye.accounts.services import user_create

    user, temporary = user_create(
        by=personas["sysadmin"], username="carol", display_name="卡罗尔", role=Role.DEPARTMENT_OFFICER
    )
    assert post_login(client, "carol", temporary).status_code == 302
    assert client.get("/industries/").url.startswith("/accounts/password/")
    response = client.post(
        "/accounts/password/",
        {"old_password": temporary, "new_password": "Carol-2025-ok", "confirm_password": "Carol-2025-ok"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).password_changed_at is not None
