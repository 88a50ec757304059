import datetime
import io
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.timebank import services as bank

from .. import records
from ..models import DemandStatus
from . import insight_fixtures as f


def _scene(world):
    w = world
    now = timezone.now()
    last_year = now - datetime.timedelta(days=400)
    zhang = f.member("张敏", community=w.c1)
    li = f.member("李强", community=w.c1)
    wu = f.member("吴军", community=w.c3, registered_at=w.c1, skills=[])
    f.member("周杰", community=w.c3)
    kw = {"community": w.c1, "assigned_member": zhang}
    f.demand(status=DemandStatus.RATED, rating=5, hours="2.0", taken_at=now, done_at=now, rated_at=now, **kw)
    f.demand(status=DemandStatus.RATED, rating=4, hours="1.5", taken_at=now, done_at=now, rated_at=now, **kw)
    f.demand(status=DemandStatus.TAKEN, taken_at=now, **kw)
    f.demand(status=DemandStatus.RATED, rating=1, hours="8.0", taken_at=last_year, done_at=last_year,
             rated_at=last_year, **kw)  # fmt: skip
    f.demand(community=w.c1, assigned_member=wu, status=DemandStatus.CLOSED, hours="1.0", taken_at=now, done_at=now)
    f.demand(community=w.c1, assigned_unit=w.unit, status=DemandStatus.RATED, rating=5, hours="4.0", taken_at=now,
             done_at=now, rated_at=now)  # fmt: skip
    # Volunteering hours of 李强 through the time bank; a demand's own settlement is not counted twice.
    bank.service_deposit(user=li.user, hours=Decimal("3.0"), community=w.c1, key="volunteer:att:1", memo="巡逻")
    bank.service_deposit(user=zhang.user, hours=Decimal("2.0"), community=w.c1, key="demand:x:service", memo="点单")
    return zhang, li, wu


def test_it_sums_each_members_year_with_volunteering_hours_from_the_time_bank(world):
    w = world
    zhang, li, wu = _scene(w)
    year = timezone.localdate().year
    rows = list(records.member_records(records.members_of(community=w.c1), year))
    assert [r.name for r in rows] == ["张敏", "李强", "吴军"]
    z = rows[0]
    assert (z.taken_count, z.done_count, z.service_hours, z.rated_count) == (3, 2, Decimal("3.5"), 2)
    assert z.average_rating == 4.5 and z.volunteer_hours == 0
    assert rows[1].volunteer_hours == Decimal("3.0") and rows[1].total_hours == Decimal("3.0")
    assert rows[2].done_count == 1
    last = {r.name: r for r in records.member_records(records.members_of(community=w.c1), year - 1)}
    assert last["张敏"].service_hours == Decimal("8.0") and last["张敏"].average_rating == 1.0


def test_units_and_organizations_have_their_records(world):
    w = world
    _scene(w)
    year = timezone.localdate().year
    units = list(records.unit_records(records.units_of(community=w.c1), year))
    assert units[0].name == "拱北口岸中心" and units[0].service_hours == Decimal("4.0")
    by_org = records.member_records(records.members_of(org=w.cc3), year)
    assert {m.name for m in by_org} <= {"吴军", "周杰"}
    totals = records.totals(records.member_records(records.members_of(community=w.c1), year), with_volunteering=True)
    assert totals["service_hours"] == Decimal("4.5") and totals["volunteer_hours"] == Decimal("3.0")


def test_the_page_lists_searches_and_scopes(world, login, assert_scoped):
    w = world
    _scene(w)
    client = login(w.users.community_worker)
    body = client.get(reverse("demands:records")).content.decode()
    assert "婆石社区" in body and "张敏" in body and "4.5 星（2 次）" in body
    found = client.get(reverse("demands:records"), {"q": "李"}).content.decode()
    assert "李强" in found and "张敏" not in found
    units = client.get(reverse("demands:records"), {"tab": "units"}).content.decode()
    assert "拱北口岸中心" in units
    url = reverse("demands:records") + f"?community={w.c1.public_id}"
    assert_scoped(url, owner=w.users.community_worker, colleague=w.users.subdistrict_admin,
                  outsider=w.users.community_worker_outsider)  # fmt: skip
    org_url = reverse("demands:records") + f"?org={w.cc1.public_id}"
    assert_scoped(org_url, owner=w.users.community_worker, outsider=w.users.subdistrict_admin_outsider)


def test_the_records_export_is_audited(world, login):
    w = world
    _scene(w)
    response = login(w.users.community_worker).get(reverse("demands:records_export"))
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and rows[1][0] == "张敏" and rows[2][6] == 3.0
    assert AuditEvent.objects.filter(object_type="demands.records", action="export").exists()


def test_the_page_takes_a_bounded_number_of_queries(world, count_queries):
    w = world
    _scene(w)
    url = reverse("demands:records")
    first = count_queries(w.users.community_worker, url)
    for i in range(12):
        m = f.member(f"党员{i}", community=w.c1)
        f.demand(community=w.c1, assigned_member=m, status=DemandStatus.RATED, rating=5, hours="1.0")
    assert count_queries(w.users.community_worker, url) == first <= 20


def test_the_exports_answer_404_outside_the_scope(world, login):
    w = world
    client = login(w.users.community_worker_outsider)
    assert client.get(reverse("demands:records_export"), {"community": w.c1.public_id}).status_code == 404
    assert client.get(reverse("demands:figures_export"), {"node": w.c1.public_id}).status_code == 404
    member = login(w.users.member)
    assert member.get(reverse("demands:records")).status_code == 404


def test_the_page_shows_hours_as_people_write_them(world, login):
    """Sums of decimals come back from the database with many places (6.70000000000000): the page rounds."""
    w = world
    zhang, _li, _wu = _scene(w)
    now = timezone.now()
    f.demand(community=w.c1, assigned_member=zhang, status=DemandStatus.RATED, rating=5, hours="3.2",
             taken_at=now, done_at=now, rated_at=now)  # fmt: skip
    body = login(w.users.community_worker).get(reverse("demands:records")).content.decode()
    row = body[body.index("张敏") :]
    row = row[: row.index("</tr>")]
    assert '<td class="num">6.7</td>' in row  # 2.0 + 1.5 + 3.2
    assert '<div class="stat-value">7.7</div>' in body  # with 吴军's 1.0
    assert '<div class="stat-value">3.0</div>' in body  # 李强's volunteering hours
