"""The service intentions the seeds name (梧州: 政策宣讲、文艺演出、法律服务、文明劝导、爱心帮扶、周末课堂),
plus two that communities commonly ask for. Defaults: no district; a district may add its own."""

from django.db import migrations

DEFAULTS = ["政策宣讲", "文艺演出", "法律服务", "文明劝导", "爱心帮扶", "周末课堂", "医疗健康", "助老助残"]


def add_defaults(apps, schema_editor):
    ServiceIntention = apps.get_model("registration", "ServiceIntention")
    for order, name in enumerate(DEFAULTS, start=1):
        ServiceIntention.objects.get_or_create(district=None, name=name, defaults={"order": order})


def remove_defaults(apps, schema_editor):
    ServiceIntention = apps.get_model("registration", "ServiceIntention")
    ServiceIntention.objects.filter(district=None, name__in=DEFAULTS).delete()


class Migration(migrations.Migration):
    dependencies = [("registration", "0002_registration_links_intentions_throttle")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
