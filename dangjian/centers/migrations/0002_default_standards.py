from django.db import migrations

# The seeds' figures: new estates provide ≥ 300 m², communities ≥ 500 m² (梧州); editable afterwards.
DEFAULTS = {
    "district": (1000, ["party_activity", "party_school", "government", "volunteer", "culture"]),
    "subdistrict": (800, ["party_activity", "government", "mediation", "social_security", "volunteer"]),
    "community": (500, ["party_activity", "mediation", "social_security", "civil_affairs", "health", "culture"]),
    "estate": (300, ["party_activity", "deliberation"]),
    "park": (200, ["party_activity", "government"]),
    "other": (0, []),
}


def seed(apps, schema_editor):
    CenterStandard = apps.get_model("centers", "CenterStandard")
    for level, (area, functions) in DEFAULTS.items():
        CenterStandard.objects.get_or_create(level=level, defaults={"min_area": area, "required_functions": functions})


class Migration(migrations.Migration):
    dependencies = [("centers", "0001_service_centers_bookings_activities")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
