from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from dangjian.audit.models import AuditEvent
from dangjian.conftest import make_user
from dangjian.points import services
from dangjian.points.models import PointEntry, PointRule

from .conftest import make_member

YEAR = timezone.localdate().year


def points_of(code: str) -> Decimal:
    return PointRule.objects.get(district=None, year=YEAR, code=code).points


def ranking_rows(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("points:ranking"), params)
    assert response.status_code == 200
    return [(row.rank, row.member.name, row.points) for row in response.context["page"].object_list]


def test_it_ranks_a_community_as_counted_by_hand(client, awarded):
    rows = ranking_rows(client, awarded.users.community_worker)
    done, good, study = points_of("demand_done"), points_of("good_rating"), points_of("study_session")
    expected = sorted([("王建国", done + good), ("张三", done), ("李四", study)], key=lambda r: -r[1])
    assert [(name, pts) for _rank, name, pts in rows] == expected
    assert rows[0][0] == 1
    assert "海员" not in [r[1] for r in rows]


def test_it_ranks_by_category_and_by_organization_subtree(client, awarded):
    worker = awarded.users.community_worker
    rows = ranking_rows(client, worker, category="service")
    # wang and zhang tie on 服务 (one demand each) and share first place; li has no 服务 points.
    assert [(r, n) for r, n, _p in rows] == [(1, "张三"), (1, "王建国")]
    rows = ranking_rows(client, awarded.users.district_admin, org=str(awarded.eb.public_id))
    assert {n for _r, n, _p in rows} == {"王建国", "张三"}  # li's organization is the unit's branch
    rows = ranking_rows(client, awarded.users.district_admin, area=str(awarded.district.public_id))
    assert rows[0][1] == "海员" and len(rows) == 4


def test_it_shows_a_member_the_ranking_of_their_community_only(client, awarded):
    rows = ranking_rows(client, awarded.users.member)
    assert {n for _r, n, _p in rows} == {"王建国", "张三", "李四"}
    client.force_login(awarded.users.member)
    assert client.get(reverse("points:ranking"), {"area": str(awarded.c3.public_id)}).status_code == 404
    assert client.get(reverse("points:ranking"), {"org": str(awarded.eb.public_id)}).status_code == 404
    client.force_login(awarded.users.community_worker_outsider)
    assert client.get(reverse("points:ranking"), {"area": str(awarded.c1.public_id)}).status_code == 404
    assert client.get(reverse("points:ranking"), {"org": str(awarded.eb.public_id)}).status_code == 404
    client.force_login(awarded.users.resident)
    assert client.get(reverse("points:ranking")).status_code == 404


def test_it_shows_the_member_their_points_by_category_and_entry(client, awarded):
    client.force_login(awarded.users.member)
    response = client.get(reverse("points:mine"))
    body = response.content.decode()
    assert response.context["totals"].total == points_of("demand_done") + points_of("good_rating")
    assert response.context["rank"] == 1
    assert "完成群众点单" in body and "服务获群众好评" in body
    assert "张三" not in body  # only their own entries
    client.force_login(awarded.users.resident)
    assert client.get(reverse("points:mine")).status_code == 404


def test_it_lists_previous_years(client, pts):
    last_year = timezone.now().replace(year=YEAR - 1)
    services.award(user=pts.users.member, rule_code="demand_done", event_key="old", occurred_at=last_year)
    client.force_login(pts.users.member)
    response = client.get(reverse("points:mine"))
    assert [y for y, _t in response.context["years"]] == [YEAR, YEAR - 1]
    response = client.get(reverse("points:mine"), {"year": YEAR - 1})
    assert response.context["totals"].total == points_of("demand_done")


def test_it_scopes_a_members_points_page_and_corrections(client, awarded, assert_scoped):
    u = awarded.users
    url = reverse("points:member", args=[awarded.people.wang.public_id])
    assert_scoped(url, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider)
    entry = PointEntry.objects.get(member=awarded.people.wang, rule__code="good_rating")
    correct_url = reverse("points:correct", args=[entry.public_id])
    client.force_login(u.community_worker_outsider)
    assert client.post(correct_url, {"reason": "x"}).status_code == 404
    client.force_login(u.community_worker)
    response = client.post(correct_url, {"reason": "评价撤销"})
    assert response.status_code == 302
    assert PointEntry.objects.filter(reverses=entry, points=-entry.points).exists()


def test_it_awards_by_hand_to_a_member_found_in_scope(client, awarded):
    u = awarded.users
    client.force_login(u.community_worker)
    response = client.get(reverse("points:award"), {"q": "李"})
    assert [m.name for m in response.context["results"]] == ["李四"]
    client.force_login(u.community_worker_outsider)
    assert client.get(reverse("points:award"), {"q": "李"}).context["results"] == []
    assert client.get(reverse("points:award"), {"member": str(awarded.people.li.public_id)}).status_code == 404
    client.force_login(u.community_worker)
    url = f"{reverse('points:award')}?member={awarded.people.li.public_id}"
    form = client.get(url).context["form"]
    data = {
        "rule": "study_session",
        "quantity": "2",
        "occurred_on": str(timezone.localdate()),
        "reason": "参加主题党日",
        "token": form.initial["token"],
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # the same form twice: one award
    entries = PointEntry.objects.filter(member=awarded.people.li, note="参加主题党日")
    assert entries.count() == 1 and entries[0].points == 2 * points_of("study_session")
    response = client.post(url, {**data, "reason": "", "token": "other"})
    assert response.status_code == 200 and "请填写记分事由" in response.content.decode()


def test_it_lets_a_district_admin_edit_a_rule_after_confirming(client, world):
    rule = PointRule.objects.get(district=None, year=YEAR, code="service_hour")
    url = reverse("points:rule_edit", args=[rule.public_id])
    client.force_login(world.users.community_worker)
    assert client.get(reverse("points:rules")).status_code == 404
    assert client.get(url).status_code == 404
    client.force_login(world.users.district_admin)
    assert client.get(reverse("points:rules")).status_code == 200
    response = client.post(url, {"points": "3", "is_active": "on"})
    assert response.status_code == 200 and response.context["confirming"]
    assert not PointRule.objects.filter(district=world.district).exists()  # nothing changed yet
    response = client.post(url, {"points": "3", "is_active": "on", "confirmed": "1"})
    assert response.status_code == 302
    own = PointRule.objects.get(district=world.district, year=YEAR, code="service_hour")
    assert own.points == 3
    assert AuditEvent.objects.filter(object_id=str(own.public_id), action="update").exists()
    # The default's page now leads to the district's own row.
    assert client.get(url)["Location"].endswith(f"/rules/{own.public_id}/")


def test_it_bounds_the_queries_of_the_ranking_and_the_members_page(count_queries, awarded):
    u = awarded.users
    ranking = reverse("points:ranking")
    mine = reverse("points:mine")
    before = count_queries(u.community_worker, ranking), count_queries(u.member, mine)
    for i in range(30):
        user = make_user(f"m{i}", "party_member", home_community=awarded.c1)
        make_member(f"党员{i}", 100 + i, org=awarded.eb, home=awarded.c1, user=user)
        services.award(user=user, rule_code="demand_done", event_key=f"e{i}", quantity=Decimal(i + 1))
        services.award(user=u.member, rule_code="service_hour", event_key=f"e{i}")
    after = count_queries(u.community_worker, ranking), count_queries(u.member, mine)
    assert after == before
