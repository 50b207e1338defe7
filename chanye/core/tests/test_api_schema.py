"""The OpenAPI 3 schema documents every endpoint; the docs page serves its assets from our static files."""

import pytest
from django.core.management import call_command
from django.urls import reverse


@pytest.mark.django_db
def test_schema_has_every_api_path_and_validates(client, tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text(encoding="utf-8")
    for path in (
        "/api/v1/systems/load/",
        "/api/v1/industries/{id}/responsibility/",
        "/api/v1/codes/",
        "/api/v1/leaders/{code}/",
        "/api/v1/users/{id}/assign/",
        "/api/v1/audit-events/",
        "/api/v1/me/",
    ):
        assert f"{path}:" in text, path
    assert client.get(reverse("schema")).status_code == 200
    docs = client.get(reverse("api_docs")).content.decode()
    assert "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in docs
