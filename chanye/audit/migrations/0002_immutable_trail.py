"""The database itself refuses to change the audit trail: no UPDATE ever, no DELETE of a row younger
than the retention period (180 days), whatever code or shell issues it."""

from django.conf import settings
from django.db import migrations

DAYS = settings.AUDIT_RETENTION_DAYS

POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION 'audit events cannot be changed';
        END IF;
        IF OLD.at > now() - interval '{DAYS} days' THEN
            RAISE EXCEPTION 'audit events are kept for {DAYS} days';
        END IF;
        RETURN OLD;
    END;
    $$ LANGUAGE plpgsql;
    """,
    "CREATE TRIGGER audit_event_guard BEFORE UPDATE OR DELETE ON audit_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_guard();",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_guard();",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;",
    "DROP TRIGGER IF EXISTS audit_event_guard ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_event_guard();",
]
SQLITE = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed'); END;",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent "
    f"WHEN OLD.at > strftime('%Y-%m-%d %H:%M:%f', 'now', '-{DAYS} days') "
    f"BEGIN SELECT RAISE(ABORT, 'audit events are kept for {DAYS} days'); END;",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
    "DROP TRIGGER IF EXISTS audit_event_no_delete;",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRES if vendor == "postgresql" else SQLITE if vendor == "sqlite" else []:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in (
        POSTGRES_REVERSE if vendor == "postgresql" else SQLITE_REVERSE if vendor == "sqlite" else []
    ):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
