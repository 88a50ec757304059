from django.db import migrations, models


def enforcement_is_not_for_communities(apps, schema_editor):
    """Existing 综合执法 items: a community may assist but not lead them."""
    DutyItem = apps.get_model("cases", "DutyItem")
    DutyItem.objects.filter(duty_area="enforcement").update(community_may_lead=False)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_policy_whistle_report_hours"),
    ]

    operations = [
        migrations.AddField(
            model_name="dutyitem",
            name="community_may_lead",
            field=models.BooleanField(default=True, verbose_name="社区可牵头办理"),
        ),
        migrations.RunPython(enforcement_is_not_for_communities, migrations.RunPython.noop),
    ]
