"""Chinese by default whatever the browser asks; English once chosen with the switcher."""

import pytest


@pytest.mark.django_db
def test_chinese_by_default_and_english_when_chosen(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "zh-hans" and 'lang="zh-CN"' in page.content.decode()
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert switched.status_code == 302
    page = client.get("/accounts/login/")
    body = page.content.decode()
    assert page["Content-Language"] == "en" and 'lang="en"' in body
    assert "Sign in to Chanye" in body and "Username" in body and "登录" not in body
