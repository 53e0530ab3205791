"""Load the licenses the portal offers (datasets/license_data.py) into the License table."""

from django.db import migrations


def load_licenses(apps, schema_editor):
    from datasets.license_data import LICENSES

    License = apps.get_model("datasets", "License")
    for entry in LICENSES:
        fields = {key: value for key, value in entry.items() if key != "spdx_id"}
        License.objects.update_or_create(spdx_id=entry["spdx_id"], defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("datasets", "0001_initial")]

    operations = [migrations.RunPython(load_licenses, migrations.RunPython.noop)]
