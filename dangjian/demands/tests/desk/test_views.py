"""The pages of the loop: scope of every view and POST (outsider 404), bounded queries, the steps
posted from the pages, the audited phone reveal, the menu."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.conftest import make_user
from dangjian.demands import services
from dangjian.demands.models import Demand, DemandStatus
from dangjian.demands.tests.test_workflow import accepted, published, submit

S = DemandStatus


@pytest.fixture
def other_resident(world):
    return make_user("jm2", "resident", home_community=world.c1)


@pytest.fixture
def far_member(world):
    return make_user("dy3", "party_member", home_community=world.c3)


def test_it_files_a_demand_from_the_phone_form_and_lists_it_as_mine(world, login):
    client = login(world.users.resident)
    page = client.get(reverse("demands:new"))
    assert page.status_code == 200 and "我要点单" in page.content.decode()
    assert "时间币余额" in page.content.decode()
    response = client.post(
        reverse("demands:new"),
        {
            "kind": "micro_wish",
            "title": "想要一套儿童绘本",
            "description": "孩子六岁",
            "estate": world.estate.public_id,
        },
    )
    assert response.status_code == 302 and response.url == reverse("demands:mine")
    demand = Demand.objects.get(title="想要一套儿童绘本")
    assert demand.requester == world.users.resident and demand.estate == world.estate
    mine = client.get(reverse("demands:mine")).content.decode()
    assert "想要一套儿童绘本" in mine and "待受理" in mine


def test_it_shows_the_form_errors_of_the_service(world, login):
    client = login(world.users.resident)
    response = client.post(reverse("demands:new"), {"kind": "micro_wish", "title": "买菜", "bank_hours": "3"})
    assert response.status_code == 200 and "余额" in response.content.decode()
    assert not Demand.objects.exists()


def test_it_scopes_the_demand_page(world, assert_scoped, other_resident):
    u = world.users
    demand = submit(world, requester_phone="13800138000")
    url = reverse("demands:detail", args=[demand.public_id])
    assert_scoped(url, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider)
    assert_scoped(url, owner=u.resident, outsider=other_resident, expect_text=demand.title)
    assert_scoped(url, owner=u.district_admin, outsider=u.member)  # a member not given it sees nothing


def test_it_scopes_every_step_post(world, client, other_resident):
    u = world.users
    demand = submit(world)
    for user, step, data in (
        (u.community_worker_outsider, "accept", {}),
        (other_resident, "withdraw", {}),
        (u.member, "accept", {}),
    ):
        client.force_login(user)
        response = client.post(reverse("demands:step", args=[demand.public_id, step]), {"version": 1, **data})
        assert response.status_code == 404, (user.username, step)
    client.force_login(u.community_worker)
    response = client.post(reverse("demands:step", args=[demand.public_id, "accept"]), {"version": 1})
    assert response.status_code == 302
    assert Demand.objects.get(pk=demand.pk).status == S.ACCEPTED
    # A stale page: refused with who moved it, nothing changed.
    response = client.post(reverse("demands:step", args=[demand.public_id, "publish"]), {"version": 1}, follow=True)
    assert "已被 sq1 更新" in response.content.decode()
    assert Demand.objects.get(pk=demand.pk).status == S.ACCEPTED


def test_it_masks_the_phone_and_audits_its_reveal(world, client, other_resident):
    u = world.users
    demand = submit(world, requester_phone="13800138000")
    client.force_login(u.community_worker)
    page = client.get(reverse("demands:detail", args=[demand.public_id])).content.decode()
    assert "13800138000" not in page and "138****8000" in page
    response = client.post(reverse("demands:reveal_phone", args=[demand.public_id]))
    assert response.content.decode() == "13800138000"
    assert AuditEvent.objects.filter(action="reveal", area_path=demand.area_path).count() == 1
    for outsider in (u.community_worker_outsider, u.resident, other_resident):
        client.force_login(outsider)
        assert client.post(reverse("demands:reveal_phone", args=[demand.public_id])).status_code == 404
    assert AuditEvent.objects.filter(action="reveal").count() == 1


def test_it_lists_the_desk_with_tabs_search_and_bounded_queries(world, client, count_queries):
    u = world.users
    for i in range(3):
        submit(world, title=f"需求{i}", requester_phone="13800138000")
    accepted(world, title="待派单的需求")
    submit(world, actor=u.community_worker_outsider, community=world.c3, requester_name="外社区")
    client.force_login(u.community_worker)
    page = client.get(reverse("demands:desk")).content.decode()
    assert "需求0" in page and "待派单的需求" not in page and "外社区" not in page
    assert "138****8000" in page and "13800138000" not in page
    page = client.get(reverse("demands:desk"), {"tab": "accepted"}).content.decode()
    assert "待派单的需求" in page and "需求0" not in page
    page = client.get(reverse("demands:desk"), {"tab": "all", "q": "需求1"}).content.decode()
    assert "需求1" in page and "需求2" not in page
    published(world, title="已发布")
    few = count_queries(u.community_worker, reverse("demands:desk") + "?tab=all")
    board = count_queries(u.member, reverse("demands:board"))
    for i in range(12):
        published(world, title=f"更多{i}", estate=world.estate, building=world.building)
    # 8: the page, its counts, the place filter's options (one query), session, user, role, menu.
    assert count_queries(u.community_worker, reverse("demands:desk") + "?tab=all") == few <= 8
    assert count_queries(u.member, reverse("demands:board")) == board


def test_it_shows_the_desk_only_to_workers(world, client):
    for user in (world.users.resident, world.users.member, world.users.unit_contact):
        client.force_login(user)
        assert client.get(reverse("demands:desk")).status_code == 404


def test_it_lets_a_member_claim_from_the_board_and_do_it_from_tasks(world, client, far_member, count_queries):
    u = world.users
    demand = published(world, title="陪老人就医")
    client.force_login(far_member)
    assert "陪老人就医" not in client.get(reverse("demands:board")).content.decode()
    response = client.post(reverse("demands:claim", args=[demand.public_id]), {"version": demand.version})
    assert response.status_code == 404
    client.force_login(u.member)
    assert "陪老人就医" in client.get(reverse("demands:board")).content.decode()
    response = client.post(reverse("demands:claim", args=[demand.public_id]), {"version": demand.version})
    assert response.status_code == 302 and response.url == reverse("demands:tasks")
    demand = Demand.objects.get(pk=demand.pk)
    assert demand.status == S.TAKEN and demand.assigned_user == u.member
    tasks = client.get(reverse("demands:tasks")).content.decode()
    assert "陪老人就医" in tasks and "完成登记" in tasks
    response = client.post(
        reverse("demands:step", args=[demand.public_id, "done"]),
        {"version": demand.version, "note": "已陪同", "hours": "2", "next": reverse("demands:tasks")},
    )
    assert response.status_code == 302 and response.url == reverse("demands:tasks")
    assert Demand.objects.get(pk=demand.pk).status == S.DONE
    # A second claimant on the board is told who took it.
    other = published(world, title="修门锁")
    services.demand_claim(actor=u.unit_contact, demand=other)
    response = client.post(reverse("demands:claim", args=[other.public_id]), {"version": other.version}, follow=True)
    assert "已由 dw 认领" in response.content.decode()
    few = count_queries(u.member, reverse("demands:tasks"))
    for i in range(5):
        services.demand_claim(actor=u.member, demand=published(world, title=f"任务{i}"))
    assert count_queries(u.member, reverse("demands:tasks")) <= few + 5 * 2


def test_it_lets_the_resident_rate_a_done_demand_from_its_page(world, client, other_resident):
    u = world.users
    demand = services.demand_claim(actor=u.member, demand=published(world))
    demand = services.demand_done(actor=u.member, demand=demand, note="已办", hours="1")
    client.force_login(other_resident)
    response = client.post(
        reverse("demands:step", args=[demand.public_id, "rate"]), {"version": demand.version, "rating": 5}
    )
    assert response.status_code == 404
    client.force_login(u.resident)
    page = client.get(reverse("demands:detail", args=[demand.public_id])).content.decode()
    assert 'data-step="rate"' in page
    response = client.post(
        reverse("demands:step", args=[demand.public_id, "rate"]), {"version": demand.version, "rating": 4, "note": "好"}
    )
    assert response.status_code == 302
    demand = Demand.objects.get(pk=demand.pk)
    assert demand.status == S.RATED and demand.rating == 4


def test_it_shows_only_public_log_steps_to_the_resident(world, client):
    u = world.users
    demand = accepted(world)
    demand = services.demand_dispatch(actor=u.community_worker, demand=demand, kind="unit", unit=world.unit)
    services.demand_refuse(actor=u.unit_contact, demand=demand, reason="内部原因XYZ")
    client.force_login(u.resident)
    page = client.get(reverse("demands:detail", args=[demand.public_id])).content.decode()
    assert "受理" in page and "内部原因XYZ" not in page
    client.force_login(u.community_worker)
    assert "内部原因XYZ" in client.get(reverse("demands:detail", args=[demand.public_id])).content.decode()


def test_it_offers_the_menu_items_by_role(world, client):
    expected = {
        "resident": {"demand_new", "demand_mine"},
        "community_worker": {"demands_desk"},
        "member": {"demand_board", "demand_tasks"},
        "unit_contact": {"demand_board", "demand_tasks"},
    }
    keys = {"demand_new", "demand_mine", "demands_desk", "demand_board", "demand_tasks"}
    for who, items in expected.items():
        client.force_login(getattr(world.users, who))
        page = client.get(reverse("dashboard:home")).content.decode()
        shown = {key for key in keys if f'data-nav="{key}"' in page}
        assert shown == items, (who, shown)
