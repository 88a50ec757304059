import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_role_secretary_flag"),
    ]

    operations = [
        migrations.AddField(
            model_name="loginfailure",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="temporary_password_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="临时密码生成时间"),
        ),
    ]
