# The kinds of import are the importers the apps register (dangjian.imports.registry), no longer
# a fixed list of choices in the imports app. No change to the table.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0002_import_job_mode"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importjob",
            name="kind",
            field=models.CharField(max_length=16, verbose_name="导入类型"),
        ),
    ]
