"""Residents carry their building's grid (or community) path: the scope and the tag list's order are an
index walk (people_resident_scope); on PostgreSQL a GIN index serves the tag filter (tags @> '["x"]')."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

GIN = "CREATE INDEX IF NOT EXISTS people_resident_tags_gin ON people_resident USING gin (tags jsonb_path_ops)"


def fill(apps, schema_editor):
    """One UPDATE: each resident takes its building's grid path, else its community's."""
    Resident = apps.get_model("people", "Resident")
    Household = apps.get_model("people", "Household")
    path = Household.objects.filter(pk=OuterRef("household_id")).values(
        p=Coalesce("building__grid__path", "building__community__path")
    )[:1]
    Resident.objects.update(area_path=Subquery(path))


def gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GIN)


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS people_resident_tags_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_member_status_removed"),
        ("territory", "0003_area_full_pinyin"),
    ]

    operations = [
        migrations.AddField(
            model_name="resident",
            name="area_path",
            field=models.CharField(default="", editable=False, max_length=255),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="resident",
            index=models.Index(fields=["area_path", "id"], name="people_resident_scope"),
        ),
        migrations.RunPython(gin_index, drop_gin_index),
    ]
