"""The shipped default SLA per category, as rows the 发改局 can change."""

from django.db import migrations

DEFAULTS = {
    "land": 60,
    "funding": 30,
    "approval": 20,
    "energy": 30,
    "demolition": 90,
    "utilities": 30,
    "other": 15,
}


def add_defaults(apps, schema_editor):
    CategorySla = apps.get_model("casework", "CategorySla")
    for category, days in DEFAULTS.items():
        CategorySla.objects.get_or_create(category=category, defaults={"days": days})


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
