# DemandLog now inherits core.models.TransitionLog (the one workflow engine's log shape).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("demands", "0002_need_categories"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="demandlog",
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
            model_name="demandlog",
            name="actor_label",
            field=models.CharField(blank=True, max_length=100, verbose_name="操作人名称"),
        ),
        migrations.AlterField(
            model_name="demandlog",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="时间"),
        ),
        migrations.AlterField(
            model_name="demandlog",
            name="from_status",
            field=models.CharField(blank=True, max_length=24, verbose_name="原状态"),
        ),
        migrations.AlterField(
            model_name="demandlog",
            name="public",
            field=models.BooleanField(default=True, verbose_name="公开"),
        ),
        migrations.AlterField(
            model_name="demandlog",
            name="step",
            field=models.CharField(max_length=24, verbose_name="步骤"),
        ),
        migrations.AlterField(
            model_name="demandlog",
            name="to_status",
            field=models.CharField(max_length=24, verbose_name="新状态"),
        ),
    ]
