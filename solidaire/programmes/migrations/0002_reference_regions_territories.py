from django.db import migrations


def load(apps, schema_editor):
    from solidaire.programmes.reference import reference_load

    reference_load(apps.get_model("programmes", "Region"), apps.get_model("programmes", "Territory"))


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
