"""BookingLog inherits core.models.TransitionLog: it gains step, actor_label and public columns.

Existing rows get their step from the statuses they moved between (every pair is unambiguous) and
their actor's name as the actor label."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

STEPS = {
    ("", "pending"): "book",
    ("", "approved"): "book",
    ("pending", "approved"): "approve",
    ("pending", "rejected"): "reject",
    ("pending", "cancelled"): "cancel",
    ("approved", "cancelled"): "cancel",
}


def fill_steps(apps, schema_editor):
    BookingLog = apps.get_model("centers", "BookingLog")
    for (from_status, to_status), step in STEPS.items():
        BookingLog.objects.filter(from_status=from_status, to_status=to_status, step="").update(step=step)
    for log in BookingLog.objects.filter(actor__isnull=False, actor_label="").select_related("actor"):
        log.actor_label = (log.actor.full_name or log.actor.username)[:100]
        log.save(update_fields=["actor_label"])
    BookingLog.objects.filter(actor__isnull=True, actor_label="").update(actor_label="系统")


class Migration(migrations.Migration):
    dependencies = [
        ("centers", "0003_center_levels_as_data"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="bookinglog",
            name="actor_label",
            field=models.CharField(blank=True, max_length=100, verbose_name="操作人名称"),
        ),
        migrations.AddField(
            model_name="bookinglog",
            name="public",
            field=models.BooleanField(default=True, verbose_name="公开"),
        ),
        migrations.AddField(
            model_name="bookinglog",
            name="step",
            field=models.CharField(default="", max_length=24, verbose_name="步骤"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="bookinglog",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="操作人",
            ),
        ),
        migrations.AlterField(
            model_name="bookinglog",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="时间"),
        ),
        migrations.AlterField(
            model_name="bookinglog",
            name="from_status",
            field=models.CharField(blank=True, max_length=24, verbose_name="原状态"),
        ),
        migrations.AlterField(
            model_name="bookinglog",
            name="to_status",
            field=models.CharField(max_length=24, verbose_name="新状态"),
        ),
        migrations.AlterField(
            model_name="bookinglog",
            name="note",
            field=models.CharField(blank=True, max_length=500, verbose_name="说明"),
        ),
        migrations.RunPython(fill_steps, migrations.RunPython.noop),
    ]
