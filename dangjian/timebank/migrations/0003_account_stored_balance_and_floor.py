"""The time bank moves onto the core ledger engine (core/ledger): each account keeps its balance in
its row (filled here from the sum of its entries) and a floor (0; none for the issuance account, which
goes negative by the hours ever issued). created_by's related_name is now the engine's template, which
resolves to the same "timebank_journals": a state-only change, no SQL."""

import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    Account = apps.get_model("timebank", "Account")
    Entry = apps.get_model("timebank", "Entry")
    Account.objects.filter(kind="issuance").update(floor=None)
    sums = Entry.objects.order_by().values("account").annotate(s=models.Sum("amount")).values_list("account", "s")
    for account_id, total in sums.iterator(chunk_size=2000):
        Account.objects.filter(pk=account_id).update(balance=total)


class Migration(migrations.Migration):

    dependencies = [
        ('timebank', '0002_append_only_guard'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='account',
            name='balance',
            field=models.DecimalField(decimal_places=1, default=Decimal('0'), max_digits=12, verbose_name='余额'),
        ),
        migrations.AddField(
            model_name='account',
            name='floor',
            field=models.DecimalField(blank=True, decimal_places=1, default=Decimal('0'), max_digits=12, null=True, verbose_name='余额下限'),
        ),
        migrations.AlterField(
            model_name='journal',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='%(app_label)s_%(class)ss', to=settings.AUTH_USER_MODEL, verbose_name='经办人'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
