"""Password policy (等保2.0): length, character classes, history, expiry."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from chanye.accounts.passwords import character_classes
from chanye.accounts.roles import Role
from chanye.accounts.services import password_expired, password_set


@pytest.mark.parametrize(
    ("password", "classes"),
    [("abcdefgh", 1), ("abcDEF12", 3), ("ab1!", 3), ("Ab1!", 4), ("口令Ab1", 4), ("", 0)],
)
def test_character_classes(password, classes):
    assert character_classes(password) == classes


@pytest.mark.django_db
@pytest.mark.parametrize("weak", ["Ab1!", "abcdefgh1", "ABCDEFGH", "password1"])
def test_weak_passwords_are_refused_in_chinese(make_user, weak):
    user = make_user("u1", Role.DRC_ADMIN)
    with pytest.raises(ValidationError) as caught:
        password_set(user=user, new_password=weak, by=user)
    assert any(("密码" in m or "8" in m or "password" in m.lower()) for m in caught.value.messages)


@pytest.mark.django_db
def test_last_five_passwords_cannot_be_reused(make_user):
    user = make_user("u2", Role.DRC_ADMIN)
    used = [f"Tianhe-{n}-Pw" for n in range(6)]
    for password in used:
        password_set(user=user, new_password=password, by=user)
    for recent in used[1:]:
        with pytest.raises(ValidationError, match="最近 5 次"):
            password_set(user=user, new_password=recent, by=user)
    password_set(user=user, new_password=used[0], by=user)  # the sixth-last is allowed again


@pytest.mark.django_db
@override_settings(PASSWORD_EXPIRY_DAYS=90)
def test_passwords_expire_and_the_user_is_sent_to_change_it(make_user, client):
    user = make_user("u3", Role.DEPARTMENT_OFFICER)
    assert not password_expired(user)
    user.password_changed_at = timezone.now() - timezone.timedelta(days=91)
    user.save()
    assert password_expired(user)
    client.force_login(user)
    response = client.get("/industries/")
    assert response.status_code == 302 and response.url.startswith("/accounts/password/")


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2id_and_older_hashes_upgrade_at_sign_in(make_user, client, settings):
    import importlib

    from django.contrib.auth.hashers import make_password

    from chanye.accounts.tests.test_login import post_login
    from conftest import PASSWORD

    # the configured hashers, not the conftest's fast one for tests
    settings.PASSWORD_HASHERS = importlib.import_module("config.settings").PASSWORD_HASHERS
    assert make_password("Tianhe-2035-Pw").startswith("argon2$argon2id$")
    user = make_user("old", Role.DEPARTMENT_OFFICER)
    type(user).objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    response = post_login(client, "old", PASSWORD)
    assert response.status_code == 302 and "/accounts/login/" not in response.url
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert client.get("/accounts/profile/").status_code == 200
