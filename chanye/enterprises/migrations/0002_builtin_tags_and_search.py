"""The built-in tags, and name search that stays fast at a million enterprises.

PostgreSQL: a trigram GIN index serves `name ILIKE '%…%'`. SQLite: an FTS5 trigram index over names
kept in step by triggers serves the same search (see `selectors.enterprise_search`).
"""

from django.db import migrations

TAGS = (
    ("guishang", "规上", "规模以上企业"),
    ("sishang", "四上", "规上工业、资质内建筑业、限上批零住餐、规上服务业"),
    ("hightech", "高新技术企业", "国家高新技术企业"),
    ("zhuanjing", "专精特新", "专精特新中小企业及“小巨人”"),
    ("listed", "上市", "境内外上市企业"),
    ("hq", "总部", "总部企业"),
    ("chain-leader", "链主", "产业链链主企业"),
    ("unicorn", "独角兽", "独角兽企业"),
    ("gazelle", "瞪羚", "瞪羚企业"),
)


def add_tags(apps, schema_editor):
    Tag = apps.get_model("enterprises", "Tag")
    for position, (code, name, description) in enumerate(TAGS):
        Tag.objects.update_or_create(
            code=code,
            defaults={"name": name, "description": description, "builtin": True, "position": position},
        )


def search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS enterprise_name_trgm ON enterprises_enterprise USING gin (name gin_trgm_ops)"
        )
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS enterprises_name_fts USING fts5("
            "name, content='enterprises_enterprise', content_rowid='id', tokenize='trigram')"
        )
        schema_editor.execute(
            "CREATE TRIGGER IF NOT EXISTS enterprises_name_fts_ai AFTER INSERT ON enterprises_enterprise BEGIN "
            "INSERT INTO enterprises_name_fts(rowid, name) VALUES (new.id, new.name); END"
        )
        schema_editor.execute(
            "CREATE TRIGGER IF NOT EXISTS enterprises_name_fts_ad AFTER DELETE ON enterprises_enterprise BEGIN "
            "INSERT INTO enterprises_name_fts(enterprises_name_fts, rowid, name) VALUES ('delete', old.id, old.name); END"
        )
        schema_editor.execute(
            "CREATE TRIGGER IF NOT EXISTS enterprises_name_fts_au AFTER UPDATE OF name ON enterprises_enterprise BEGIN "
            "INSERT INTO enterprises_name_fts(enterprises_name_fts, rowid, name) VALUES ('delete', old.id, old.name); "
            "INSERT INTO enterprises_name_fts(rowid, name) VALUES (new.id, new.name); END"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS enterprise_name_trgm")
    elif schema_editor.connection.vendor == "sqlite":
        for trigger in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS enterprises_name_fts_{trigger}")
        schema_editor.execute("DROP TABLE IF EXISTS enterprises_name_fts")


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]

    operations = [
        migrations.RunPython(add_tags, migrations.RunPython.noop),
        migrations.RunPython(search_index, drop_search_index),
    ]
