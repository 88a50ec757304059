import datetime
import io
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.core import periods
from dangjian.core.figures import facts

from ...insight import figures
from ...models import DemandPolicy, DemandStatus
from .. import insight_fixtures as f


def _scene(world):
    w = world
    m = f.member("张敏", community=w.c1)
    now = timezone.now()
    f.demand(community=w.c1, grid=w.g1a, status=DemandStatus.RATED, assigned_member=m, rating=5, hours="2.0",
             accepted_at=now, taken_at=now, done_at=now, rated_at=now)  # fmt: skip
    f.demand(community=w.c1, grid=w.g1b, status=DemandStatus.RATED, assigned_member=m, rating=3, hours="1.5",
             accepted_at=now, taken_at=now, done_at=now, rated_at=now)  # fmt: skip
    f.demand(
        community=w.c1,
        status=DemandStatus.CLOSED,
        assigned_member=m,
        hours="1.0",
        accepted_at=now,
        taken_at=now,
        done_at=now,
    )
    f.demand(community=w.c1, status=DemandStatus.TAKEN, assigned_member=m, accepted_at=now, taken_at=now,
             step_due_at=now - datetime.timedelta(hours=3))  # fmt: skip
    f.demand(community=w.c1, status=DemandStatus.DECLINED)
    f.demand(community=w.c1, status=DemandStatus.WITHDRAWN)
    f.demand(community=w.c2, grid=w.g2, status=DemandStatus.SUBMITTED)
    f.demand(community=w.c3, grid=w.g3, status=DemandStatus.RATED, assigned_member=m, rating=4, hours="3.0")
    old = now - datetime.timedelta(days=400)
    f.demand(community=w.c1, status=DemandStatus.RATED, rating=1, hours="9.0", submitted_at=old)
    # The fixtures write rows the way a bulk writer does (behind the signals): the store is rebuilt
    # from them, as `manage.py facts --rebuild` does after a bulk load.
    facts.rebuild(["demands"])
    return m


def test_it_counts_the_loop_per_child_in_one_grouped_query(world):
    w = world
    _scene(w)
    period = periods.period_for("this_year")
    report = figures.demand_figures(user=w.users.district_admin, node=w.district, period=period)
    t = report.total
    assert (t.received, t.accepted, t.declined, t.taken, t.done, t.rated, t.good, t.late) == (7, 4, 1, 4, 4, 3, 2, 1)
    assert t.stars == 4.0 and t.good_rate == 66.7 and t.hours == Decimal("7.5")
    by_name = {r.label: r.figures for r in report.children}
    assert by_name["拱北街道"].received == 6 and by_name["吉大街道"].received == 1
    assert by_name["拱北街道"].hours == Decimal("4.5") and by_name["吉大街道"].stars == 4.0

    community = figures.demand_figures(user=w.users.community_worker, node=w.c1, period=period)
    rows = {r.label: r.figures.received for r in community.children}
    assert rows == {"婆石第一网格": 1, "婆石第二网格": 1, "未定位到下级": 3}


def test_the_good_rating_follows_the_district_policy(world):
    w = world
    _scene(w)
    DemandPolicy.objects.create(district=w.district, good_rating=5)
    period = periods.period_for("this_year")
    report = figures.demand_figures(user=w.users.district_admin, node=w.district, period=period)
    assert report.good_rating == 5 and report.total.good == 1


def test_a_community_worker_sees_only_their_community(world):
    w = world
    _scene(w)
    period = periods.period_for("this_year")
    report = figures.demand_figures(user=w.users.community_worker, node=w.district, period=period)
    assert report.total.received == 5


def test_the_page_drills_down_and_refuses_nodes_out_of_scope(world, login, assert_scoped):
    w = world
    _scene(w)
    client = login(w.users.subdistrict_admin)
    body = client.get(reverse("demands:figures"), {"period": "this_year"}).content.decode()
    assert "拱北街道 · 服务清单统计" in body and "婆石社区" in body and "年度服务记录" in body
    assert "demand-figures-chart" in body
    url = reverse("demands:figures") + f"?node={w.c1.public_id}&period=this_year"
    assert_scoped(url, owner=w.users.community_worker, colleague=w.users.subdistrict_admin,
                  outsider=w.users.community_worker_outsider)  # fmt: skip
    assert login(w.users.member).get(reverse("demands:figures")).status_code == 404


def test_a_bad_custom_period_is_refused_with_a_message(world, login):
    w = world
    client = login(w.users.district_admin)
    body = client.get(reverse("demands:figures"), {"period": "custom", "from": "2026-05-01", "to": "2026-04-01"})
    assert "开始日期不能晚于结束日期" in body.content.decode()
    empty = client.get(reverse("demands:figures")).content.decode()
    assert "该区间内没有群众需求" in empty


def test_the_figures_export_has_the_children_and_the_total_and_is_audited(world, login):
    w = world
    _scene(w)
    client = login(w.users.district_admin)
    response = client.get(reverse("demands:figures_export"), {"period": "this_year"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "属地" and [r[0] for r in rows[1:]] == ["拱北街道", "吉大街道", "合计"]
    assert rows[-1][1] == 7
    assert AuditEvent.objects.filter(object_type="demands.figures", action="export").exists()


def test_the_page_takes_a_bounded_number_of_queries(world, count_queries):
    w = world
    _scene(w)
    url = reverse("demands:figures") + "?period=this_year"
    first = count_queries(w.users.district_admin, url)
    for _i in range(10):
        f.demand(community=w.c2, grid=w.g2, status=DemandStatus.RATED, rating=5, hours="1.0")
    assert count_queries(w.users.district_admin, url) == first <= 20
