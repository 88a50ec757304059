"""The default kinds of duty item: a community may be the responsible party for none of 行政执法、拆迁拆违、
环境整治 (seed 001: 不得将社区作为行政执法、拆迁拆违、环境整治等事项的责任主体). Edited in the admin."""

from django.db import migrations

KINDS = [
    ("party_building", "党建", True),
    ("governance", "治理", True),
    ("service", "服务", True),
    ("admin_assist", "行政协助", True),
    ("enforcement", "行政执法", False),
    ("demolition", "拆迁拆违", False),
    ("environment", "环境整治", False),
    ("other", "其他", True),
]


def add_kinds(apps, schema_editor):
    DutyKind = apps.get_model("duties", "DutyKind")
    for sort, (code, name, allowed) in enumerate(KINDS, start=1):
        DutyKind.objects.get_or_create(
            code=code, defaults={"name": name, "community_may_be_responsible": allowed, "sort": sort}
        )


def remove_kinds(apps, schema_editor):
    apps.get_model("duties", "DutyKind").objects.filter(code__in=[k[0] for k in KINDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("duties", "0001_duty_lists_admission_tasks")]

    operations = [migrations.RunPython(add_kinds, remove_kinds)]
