"""The four categories (学习、服务、先锋、奉献) and the default rules for the year the platform is installed.

Later years copy the latest earlier year's rules on first use (services.rules_for_year); a district
edits its own copy. Points per action are data, never constants in code.
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

CATEGORIES = [("study", "学习", 1), ("service", "服务", 2), ("vanguard", "先锋", 3), ("dedication", "奉献", 4)]

# code, category, name, points, per, manual
RULES = [
    ("registration", "vanguard", "到社区报到（双报到）", "10", "每次", False),
    ("service_hour", "service", "志愿服务时长", "2", "每小时", False),
    ("demand_done", "service", "完成群众点单", "5", "每件", False),
    ("good_rating", "dedication", "服务获群众好评", "3", "每次", False),
    ("activity_attendance", "study", "参加活动", "2", "每次", False),
    ("study_session", "study", "参加集中学习、党课", "3", "每次", True),
    ("vanguard_task", "vanguard", "参与急难险重任务", "10", "每次", True),
    ("donation", "dedication", "爱心捐助、结对帮扶", "5", "每次", True),
    ("deduction", "vanguard", "违反规定扣分", "-5", "每次", True),
]


def add_defaults(apps, schema_editor):
    PointCategory = apps.get_model("points", "PointCategory")
    PointRule = apps.get_model("points", "PointRule")
    categories = {}
    for code, name, order in CATEGORIES:
        categories[code], _created = PointCategory.objects.get_or_create(
            code=code, defaults={"name": name, "order": order}
        )
    year = timezone.localdate().year
    for code, category, name, points, per, manual in RULES:
        PointRule.objects.get_or_create(
            district=None,
            year=year,
            code=code,
            defaults={
                "category": categories[category],
                "name": name,
                "points": Decimal(points),
                "per": per,
                "manual": manual,
            },
        )


def remove_defaults(apps, schema_editor):
    apps.get_model("points", "PointRule").objects.filter(district=None).delete()
    apps.get_model("points", "PointCategory").objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("points", "0001_classified_points")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
