"""The demo step: departments, duty lists and cases in every state, moved into the past, and
figures that read non-zero for the demo district. One build (it takes the real services)."""

import datetime
import random
import re

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.cases.figures import selectors as figures
from dangjian.cases.models import Case, CaseCounter, CaseLog, DutyItem, Summons, Whistle
from dangjian.demo import cases as demo_data
from dangjian.demo.builder import build_demo_district
from dangjian.territory.models import Area
from dangjian.units.models import Department

CASES = 90  # fewer than the demo's 150, to keep the suite quick; the same code path


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_cases(db, monkeypatch):
    """The demo district without the other domains' steps, then this step."""
    from dangjian.demo import builder

    monkeypatch.setattr(builder, "DEMO_EXTENSIONS", [])
    built = build_demo_district()
    demo_data.build(random.Random(7), built, cases=CASES)
    return built


def test_the_demo_has_duty_lists_cases_in_every_state_and_live_figures(demo_cases, client):
    now = timezone.now()
    district = Area.objects.get(level="district")
    # The six street-chief departments, each with a staff account; a dozen duty items per street.
    kinds = set(Department.objects.filter(area=district).values_list("kind", flat=True))
    assert {"police", "traffic_police", "fire", "market_regulation", "city_management", "sanitation"} <= kinds
    for department in Department.objects.filter(area=district):
        assert User.objects.filter(role_assignments__department=department).exists(), department
    for subdistrict in Area.objects.filter(level="subdistrict"):
        items = DutyItem.objects.filter(subdistrict=subdistrict)
        assert items.count() == len(demo_data.DUTY_ITEMS)
        assert set(items.values_list("duty_area", flat=True)) == {"enforcement", "emergency", "order"}

    # Cases in every state, over the last sixty days, numbered by the day they came in.
    cases = Case.objects.all()
    assert cases.count() == CASES
    statuses = set(cases.values_list("status", flat=True))
    assert {"accepted", "dispatched", "handling", "closed", "called_back", "archived", "merged"} <= statuses
    assert set(cases.values_list("channel", flat=True)) == {"phone", "patrol", "hotline", "walk_in"}
    assert cases.filter(return_count__gt=0).exists()
    assert cases.exclude(rating="").count() >= 20
    assert cases.filter(status__in=["handling", "dispatched", "accepted"], deadline__lt=now).exists()  # overdue
    assert cases.filter(closed_at__gt=F("deadline")).exists()  # closed late
    grids = Area.objects.filter(level="grid").count()
    assert cases.order_by().values("grid").distinct().count() == grids  # every grid got one of the first cases
    earliest = now - datetime.timedelta(days=demo_data.DAYS, minutes=5)
    for case in cases:
        assert earliest <= case.received_at <= now
        day = timezone.localtime(case.received_at).strftime("%Y%m%d")
        assert re.fullmatch(rf"XZ-{day}-\d{{4}}", case.number), (case.number, case.received_at)
        times = [t for t in (case.received_at, case.accepted_at, case.dispatched_at, case.closed_at) if t]
        assert times == sorted(times), case.number
        log = list(CaseLog.objects.filter(case=case).order_by("pk").values_list("at", flat=True))
        assert all(earliest <= at <= now for at in log), case.number
    submitted = CaseLog.objects.filter(step="submit", note__startswith="已登记").select_related("case")
    assert all(row.note.endswith(row.case.number) for row in submitted)
    today = timezone.localdate()
    counter = CaseCounter.objects.filter(day=today).values_list("last", flat=True).first() or 0
    assert counter == cases.filter(number__startswith=f"XZ-{today:%Y%m%d}-").count()

    # The figures of the district move.
    admin = User.objects.get(username="qu_admin")
    report = figures.case_figures(user=admin, date_from=today - datetime.timedelta(days=demo_data.DAYS), date_to=today)
    total = report.total
    assert total.received > 60 and total.closed > 20 and total.overdue > 0 and total.returned > 0
    assert total.satisfaction_rate is not None and total.median_hours is not None
    assert sum(r.figures.received for r in report.children) == total.received
    assert report.departments
    client.force_login(admin)
    page = client.get(reverse("cases:figures") + "?period=this_year").content.decode()
    assert 'data-testid="no-cases"' not in page
    card = r'data-testid="total-received">\s*<div class="stat-label">受理</div>\s*<div class="stat-value">(\d+)'
    received = re.search(card, page)
    assert received and int(received.group(1)) > 60

    # The street chief's board has the demo's two whistles, one department still to report on each.
    whistles = Whistle.objects.filter(case__district__name=demo_data.DISTRICT_NAME)
    assert whistles.count() == 2
    assert Summons.objects.filter(whistle__in=whistles, acknowledged_at__isnull=False).count() == 2
    assert Summons.objects.filter(whistle__in=whistles, acknowledged_at__isnull=True).count() == 2
