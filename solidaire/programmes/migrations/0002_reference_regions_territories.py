from django.db import migrations


def load(apps, schema_editor):
    from solidaire.programmes.reference import CAPITALE_NATIONALE_TERRITORIES, REGIONS

    Region = apps.get_model("programmes", "Region")
    Territory = apps.get_model("programmes", "Territory")
    for code, name in REGIONS:
        Region.objects.update_or_create(code=code, defaults={"name": name})
    region = Region.objects.get(code="03")
    for code, name, kind, population, within in CAPITALE_NATIONALE_TERRITORIES:
        Territory.objects.update_or_create(
            code=code,
            defaults={
                "region": region,
                "name": name,
                "kind": kind,
                "population": population,
                "within": Territory.objects.get(code=within) if within else None,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
