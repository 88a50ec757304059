"""RegistrationLog inherits core.models.TransitionLog: it gains step, actor_label and public columns.

Existing rows get their step from the statuses they moved between (every pair is unambiguous) and
their actor's name as the actor label."""

import django.utils.timezone
from django.db import migrations, models

STEPS = {
    ("", "submitted"): "submit",
    ("submitted", "confirmed"): "confirm",
    ("submitted", "rejected"): "reject",
    ("submitted", "withdrawn"): "withdraw",
    ("confirmed", "withdrawn"): "withdraw",
}


def fill_steps(apps, schema_editor):
    RegistrationLog = apps.get_model("registration", "RegistrationLog")
    for (from_status, to_status), step in STEPS.items():
        RegistrationLog.objects.filter(from_status=from_status, to_status=to_status, step="").update(step=step)
    for log in RegistrationLog.objects.filter(actor__isnull=False, actor_label="").select_related("actor"):
        log.actor_label = (log.actor.full_name or log.actor.username)[:100]
        log.save(update_fields=["actor_label"])
    RegistrationLog.objects.filter(actor__isnull=True, actor_label="").update(actor_label="系统")


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0003_default_service_intentions"),
    ]

    operations = [
        migrations.AddField(
            model_name="registrationlog",
            name="actor_label",
            field=models.CharField(blank=True, max_length=100, verbose_name="操作人名称"),
        ),
        migrations.AddField(
            model_name="registrationlog",
            name="public",
            field=models.BooleanField(default=True, verbose_name="公开"),
        ),
        migrations.AddField(
            model_name="registrationlog",
            name="step",
            field=models.CharField(default="", max_length=24, verbose_name="步骤"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="registrationlog",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="时间"),
        ),
        migrations.AlterField(
            model_name="registrationlog",
            name="from_status",
            field=models.CharField(blank=True, max_length=24, verbose_name="原状态"),
        ),
        migrations.AlterField(
            model_name="registrationlog",
            name="to_status",
            field=models.CharField(max_length=24, verbose_name="新状态"),
        ),
        migrations.AlterField(
            model_name="registrationlog",
            name="note",
            field=models.CharField(blank=True, max_length=500, verbose_name="说明"),
        ),
        migrations.RunPython(fill_steps, migrations.RunPython.noop),
    ]
