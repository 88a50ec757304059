"""Residents' need categories, apart from the members' skills, each with the skills that meet it.

Demands used to pick a category from the registrants' skill list (政策宣讲、文艺演出……), which does not
describe a resident's need. The defaults below are seeded; each existing demand's old category is mapped to
the need category it meant (a district's own skill becomes a need of the same name, met by that skill).
"""

import django.db.models.deletion
from django.db import migrations, models

# name -> the default service intentions (registration 0003) that meet it
DEFAULTS = [
    ("生活照料", ["助老助残", "爱心帮扶"]),
    ("看病陪护", ["医疗健康", "助老助残"]),
    ("助听器与康复辅具", ["医疗健康", "助老助残", "爱心帮扶"]),
    ("困难帮扶", ["爱心帮扶"]),
    ("法律咨询", ["法律服务"]),
    ("邻里纠纷调解", ["法律服务", "文明劝导"]),
    ("课业辅导与托管", ["周末课堂"]),
    ("政策咨询", ["政策宣讲"]),
    ("文体活动", ["文艺演出"]),
    ("环境整治", ["文明劝导"]),
    ("其他", []),
]
# the old category (a service intention) -> the need it meant
OLD_TO_NEED = {
    "助老助残": "生活照料",
    "医疗健康": "看病陪护",
    "爱心帮扶": "困难帮扶",
    "法律服务": "法律咨询",
    "周末课堂": "课业辅导与托管",
    "政策宣讲": "政策咨询",
    "文艺演出": "文体活动",
    "文明劝导": "环境整治",
}


def seed_defaults(apps, schema_editor):
    NeedCategory = apps.get_model("demands", "NeedCategory")
    ServiceIntention = apps.get_model("registration", "ServiceIntention")
    for order, (name, skills) in enumerate(DEFAULTS, start=1):
        need, _ = NeedCategory.objects.get_or_create(district=None, name=name, defaults={"order": order})
        need.skills.set(ServiceIntention.objects.filter(district=None, name__in=skills))


def map_old_categories(apps, schema_editor):
    Demand = apps.get_model("demands", "Demand")
    NeedCategory = apps.get_model("demands", "NeedCategory")
    ServiceIntention = apps.get_model("registration", "ServiceIntention")
    for intention in ServiceIntention.objects.filter(pk__in=Demand.objects.values("category_id")):
        need = None
        if intention.district_id is None and intention.name in OLD_TO_NEED:
            need = NeedCategory.objects.filter(district=None, name=OLD_TO_NEED[intention.name]).first()
        if need is None:
            need, _ = NeedCategory.objects.get_or_create(
                district_id=intention.district_id, name=intention.name, defaults={"order": 100 + intention.order}
            )
            need.skills.add(intention)
        Demand.objects.filter(category_id=intention.pk).update(need=need)


def map_back(apps, schema_editor):
    Demand = apps.get_model("demands", "Demand")
    ServiceIntention = apps.get_model("registration", "ServiceIntention")
    need_to_old = {need: old for old, need in OLD_TO_NEED.items()}
    for demand in Demand.objects.filter(need__isnull=False).select_related("need"):
        intention = None
        if demand.need.district_id is None and demand.need.name in need_to_old:
            intention = ServiceIntention.objects.filter(district=None, name=need_to_old[demand.need.name]).first()
        intention = intention or demand.need.skills.order_by("order", "pk").first()
        if intention is None:
            intention = ServiceIntention.objects.filter(district=demand.need.district_id, name=demand.need.name).first()
        Demand.objects.filter(pk=demand.pk).update(category=intention)


class Migration(migrations.Migration):
    dependencies = [
        ("demands", "0001_demands"),
        ("registration", "0003_default_service_intentions"),
        ("territory", "0001_area_estate_building"),
    ]

    operations = [
        migrations.CreateModel(
            name="NeedCategory",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=30, verbose_name="名称")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="排序")),
                ("is_active", models.BooleanField(default=True, verbose_name="启用")),
                (
                    "district",
                    models.ForeignKey(
                        blank=True,
                        limit_choices_to={"level": "district"},
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="need_categories",
                        to="territory.area",
                        verbose_name="区",
                    ),
                ),
                (
                    "skills",
                    models.ManyToManyField(
                        blank=True,
                        related_name="need_categories",
                        to="registration.serviceintention",
                        verbose_name="能满足此类需求的特长",
                    ),
                ),
            ],
            options={"verbose_name": "需求类别", "verbose_name_plural": "需求类别", "ordering": ["order", "pk"]},
        ),
        migrations.AddConstraint(
            model_name="needcategory",
            constraint=models.UniqueConstraint(
                condition=models.Q(("district__isnull", True)), fields=("name",), name="demands_need_default_name"
            ),
        ),
        migrations.AddConstraint(
            model_name="needcategory",
            constraint=models.UniqueConstraint(fields=("district", "name"), name="demands_need_district_name"),
        ),
        migrations.RunPython(seed_defaults, migrations.RunPython.noop),
        migrations.AddField(
            model_name="demand",
            name="need",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="demands.needcategory",
            ),
        ),
        migrations.RunPython(map_old_categories, map_back),
        migrations.RemoveField(model_name="demand", name="category"),
        migrations.RenameField(model_name="demand", old_name="need", new_name="category"),
        migrations.AlterField(
            model_name="demand",
            name="category",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="demands",
                to="demands.needcategory",
                verbose_name="需求类别",
            ),
        ),
    ]
