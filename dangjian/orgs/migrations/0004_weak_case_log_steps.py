"""WeakCaseLog inherits core.models.TransitionLog: it gains step, actor_label and public columns.

Existing rows get their step from the statuses they moved between (every pair is unambiguous) and
their actor's name as the actor label."""

from django.db import migrations, models

STEPS = {
    ("", "flagged"): "flag",
    ("flagged", "rectifying"): "approve_plan",
    ("rectifying", "applied_for_delisting"): "apply",
    ("applied_for_delisting", "rectifying"): "send_back",
    ("applied_for_delisting", "delisted"): "delist",
}


def fill_steps(apps, schema_editor):
    WeakCaseLog = apps.get_model("orgs", "WeakCaseLog")
    for (from_status, to_status), step in STEPS.items():
        WeakCaseLog.objects.filter(from_status=from_status, to_status=to_status, step="").update(step=step)
    for log in WeakCaseLog.objects.filter(actor__isnull=False, actor_label="").select_related("actor"):
        log.actor_label = (log.actor.full_name or log.actor.username)[:100]
        log.save(update_fields=["actor_label"])
    WeakCaseLog.objects.filter(actor__isnull=True, actor_label="").update(actor_label="系统")


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0003_party_org_full_pinyin"),
    ]

    operations = [
        migrations.AddField(
            model_name="weakcaselog",
            name="actor_label",
            field=models.CharField(blank=True, max_length=100, verbose_name="操作人名称"),
        ),
        migrations.AddField(
            model_name="weakcaselog",
            name="public",
            field=models.BooleanField(default=True, verbose_name="公开"),
        ),
        migrations.AddField(
            model_name="weakcaselog",
            name="step",
            field=models.CharField(default="", max_length=24, verbose_name="步骤"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_steps, migrations.RunPython.noop),
    ]
