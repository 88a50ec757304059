"""The default tags that put a household on an emergency visit list (a district may keep its own)."""

from django.db import migrations

DEFAULTS = [
    ("elderly_alone", "独居老人"),
    ("disabled", "残疾人"),
    ("in_hardship", "困难群众"),
    ("subsistence", "低保户"),
    ("pregnant", "孕产妇"),
    ("left_behind_child", "留守儿童"),
]


def add_defaults(apps, schema_editor):
    VulnerableTag = apps.get_model("mobilization", "VulnerableTag")
    for code, label in DEFAULTS:
        VulnerableTag.objects.get_or_create(district=None, code=code, defaults={"label": label})


def remove_defaults(apps, schema_editor):
    apps.get_model("mobilization", "VulnerableTag").objects.filter(
        district=None, code__in=[c for c, _l in DEFAULTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("mobilization", "0001_mobilization_callups_placements_visits")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
