"""The default rule that org life's attendance feeds: 参加组织生活（三会一课、主题党日）, 学习 category.

Added to every year that already has default rules (later years copy it on first use); a district
changes its points or switches it off like any other rule.
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

CODE = "orglife_attendance"


def add_rule(apps, schema_editor):
    PointCategory = apps.get_model("points", "PointCategory")
    PointRule = apps.get_model("points", "PointRule")
    study, _created = PointCategory.objects.get_or_create(code="study", defaults={"name": "学习", "order": 1})
    years = set(PointRule.objects.filter(district=None).values_list("year", flat=True)) or {timezone.localdate().year}
    for year in sorted(years):
        PointRule.objects.get_or_create(
            district=None,
            year=year,
            code=CODE,
            defaults={
                "category": study,
                "name": "参加组织生活（三会一课、主题党日）",
                "points": Decimal("2"),
                "per": "每次",
                "manual": False,
            },
        )


def remove_rule(apps, schema_editor):
    PointRule = apps.get_model("points", "PointRule")
    PointRule.objects.filter(code=CODE, entries__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("points", "0002_default_categories_and_rules")]

    operations = [migrations.RunPython(add_rule, remove_rule)]
