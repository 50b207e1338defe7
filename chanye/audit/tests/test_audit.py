"""The audit trail: written with IP and request id, unchangeable, readable by the audit administrator only."""

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction

from chanye.audit.models import AuditEvent
from chanye.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_responsibility_edit_is_recorded_with_actor_ip_request_id_and_values(personas, login, systems):
    from chanye.industries.models import Industry
    from chanye.organizations.models import Leader

    ai = Industry.objects.get(system=systems, code="AI")
    leader = Leader.objects.get(code="L-VP-FIN")
    client = login(personas["drc"])
    row = ai.responsibilities.get(valid_to__isnull=True)
    response = client.post(
        f"/industries/{ai.pk}/responsibility/",
        {
            "leader": leader.pk,
            "lead_department": row.lead_department_id,
            "reason": "区领导分工调整",
            "supporting_departments": [d.pk for d in row.supporting_departments.all()],
            "office": row.office_id or "",
            "task_force": row.task_force_id or "",
        },
        HTTP_X_REQUEST_ID="req-123",
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="responsibility.change", actor=personas["drc"])
    assert event.ip == "10.1.2.3" and event.request_id == "req-123"
    assert event.before["leader"] != "L-VP-FIN" and event.after["leader"] == "L-VP-FIN"
    assert event.message == "区领导分工调整"


def test_the_orm_cannot_change_or_delete_events():
    event = audit_record(actor="system", action="test.event")
    event.message = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(message="tampered")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_update_and_early_delete():
    event = audit_record(actor="system", action="test.event")
    for statement in (
        "UPDATE audit_auditevent SET message = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, message="").exists()


def test_rows_older_than_retention_may_be_purged():
    with connection.cursor() as cursor:
        old = "2020-01-01 00:00:00" if connection.vendor == "sqlite" else "2020-01-01 00:00:00+00"
        cursor.execute(
            "INSERT INTO audit_auditevent (at, actor_name, actor_role, request_id, action, object_type, "
            "object_id, object_repr, message) VALUES (%s, 'old', '', '', 'old.event', '', '', '', '')",
            [old],
        )
        cursor.execute("DELETE FROM audit_auditevent WHERE action = 'old.event'")
    assert not AuditEvent.objects.filter(action="old.event").exists()


def test_audit_page_and_export_for_the_audit_administrator_only(personas, login, client):
    audit_record(actor=personas["drc"], action="=cmd|' /C calc'!A0", message="@SUM(1)")
    for persona in ("drc", "sysadmin", "secadmin", "leader"):
        client.logout()
        assert login(personas[persona]).get("/audit/").status_code == 403
    client.logout()
    auditor = login(personas["auditor"])
    assert auditor.get("/audit/").status_code == 200
    response = auditor.get("/audit/export.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "时间"
    injected = next(row for row in rows if "calc" in row[5])
    assert injected[5].startswith("'=") and injected[11].startswith("'@")
    assert AuditEvent.objects.filter(action="audit.export", actor=personas["auditor"]).exists()
