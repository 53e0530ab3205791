"""Load the licenses the portal offers (datasets/license_data.py) into the License table."""

from django.db import migrations


def load_licenses(apps, schema_editor):
    from datasets.license_data import install_licenses

    install_licenses(apps.get_model("datasets", "License"))


class Migration(migrations.Migration):
    dependencies = [("datasets", "0001_initial")]

    operations = [migrations.RunPython(load_licenses, migrations.RunPython.noop)]
