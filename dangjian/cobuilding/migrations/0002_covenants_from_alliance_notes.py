"""Each alliance member's free-text covenant (units.AllianceMembership.covenant) becomes a Covenant with the
text kept as its note: at the alliance's subdistrict or community (else the unit's community), for three
years from the day the unit joined (or today), obligations at the seed's minimum (one visit each way)."""

import datetime

from django.db import migrations


def forwards(apps, schema_editor):
    Membership = apps.get_model("units", "AllianceMembership")
    Covenant = apps.get_model("cobuilding", "Covenant")
    today = datetime.date.today()
    rows = Membership.objects.exclude(covenant="").select_related("alliance__area", "unit__community")
    for m in rows.iterator():
        if Covenant.objects.filter(membership_id=m.pk).exists():
            continue
        area = m.alliance.area if m.alliance.area.level in ("subdistrict", "community") else m.unit.community
        starts = m.joined_on or today
        try:
            ends = starts.replace(year=starts.year + 3) - datetime.timedelta(days=1)
        except ValueError:  # 29 February
            ends = starts.replace(year=starts.year + 3, day=28)
        Covenant.objects.create(
            area=area,
            area_path=area.path,
            unit=m.unit,
            starts_on=starts,
            ends_on=ends,
            unit_visits=1,
            area_visits=1,
            note=m.covenant,
            membership_id=m.pk,
        )


class Migration(migrations.Migration):
    dependencies = [("cobuilding", "0001_cobuilding_initial"), ("units", "0006_unit_list_index")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
