"""Load the built-in classification editions from the data files shipped in chanye/industries/data."""

from django.db import migrations


def load(apps, schema_editor):
    from chanye.industries.codes import EDITIONS, edition_codes

    Edition = apps.get_model("industries", "ClassificationEdition")
    Code = apps.get_model("industries", "ClassificationCode")
    for spec in EDITIONS:
        edition, _ = Edition.objects.update_or_create(
            code=spec.code, defaults={"name": spec.name, "issuer": spec.issuer, "year": spec.year}
        )
        Code.objects.filter(edition=edition).delete()
        Code.objects.bulk_create(
            [
                Code(
                    edition=edition, code=c.code, level=c.level, parent_code=c.parent, name=c.name, position=i
                )
                for i, c in enumerate(edition_codes(spec.code))
            ],
            batch_size=2000,
        )


def unload(apps, schema_editor):
    apps.get_model("industries", "ClassificationCode").objects.all().delete()
    apps.get_model("industries", "ClassificationEdition").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("industries", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
