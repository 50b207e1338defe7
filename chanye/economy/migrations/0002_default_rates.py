"""Load the default value-added rates shipped in chanye/economy/data/va_rates.toml (rows already present are
left as they are)."""

from django.db import migrations


def load(apps, schema_editor):
    from chanye.economy.rates import read

    Rate = apps.get_model("economy", "ValueAddedRate")
    present = set(Rate.objects.values_list("division", flat=True))
    Rate.objects.bulk_create(
        [
            Rate(division=d.division, name=d.name, rate=d.rate, margin_rate=d.margin_rate, source=d.source)
            for d in read()
            if d.division not in present
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("economy", "0001_value_added")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
