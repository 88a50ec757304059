"""The default meeting rules of the 中国共产党支部工作条例（试行）(2018): 支部党员大会 quarterly, 支委会 and
党小组会 monthly, 党课 quarterly, 主题党日 monthly, 组织生活会, 民主评议党员 and 谈心谈话 yearly; more than
half of those due for 支部党员大会, 支委会, 组织生活会 and 民主评议. A district edits its own copies (admin)."""

from django.db import migrations

# kind, attendees, frequency, times, (quorum num, den, strict), order
DEFAULTS = [
    ("members_meeting", "members", "quarterly", 1, (1, 2, True), 1),
    ("committee", "committee", "monthly", 1, (1, 2, True), 2),
    ("group", "group", "monthly", 1, (0, 1, False), 3),
    ("lecture", "members", "quarterly", 1, (0, 1, False), 4),
    ("theme_day", "members", "monthly", 1, (0, 1, False), 5),
    ("life_meeting", "members", "yearly", 1, (1, 2, True), 6),
    ("appraisal", "members", "yearly", 1, (1, 2, True), 7),
    ("talk", "committee", "yearly", 1, (0, 1, False), 8),
]


def add_defaults(apps, schema_editor):
    MeetingRule = apps.get_model("orglife", "MeetingRule")
    for kind, attendees, frequency, times, (num, den, strict), order in DEFAULTS:
        MeetingRule.objects.get_or_create(
            district=None,
            kind=kind,
            defaults={
                "attendees": attendees,
                "frequency": frequency,
                "times": times,
                "quorum_num": num,
                "quorum_den": den,
                "quorum_strict": strict,
                "quorum_base": "due",
                "order": order,
            },
        )


def remove_defaults(apps, schema_editor):
    apps.get_model("orglife", "MeetingRule").objects.filter(district=None).delete()


class Migration(migrations.Migration):
    dependencies = [("orglife", "0001_org_life")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
