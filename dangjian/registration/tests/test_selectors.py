"""The reads other apps call: status per member and per unit (one and in bulk), the five lists."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.orgs import services as org_services
from dangjian.registration import selectors, services
from dangjian.registration.selectors import SectionSource
from dangjian.registration.workflow import Party
from dangjian.units.models import ResidentUnit

from .conftest import credit_code


def test_a_members_status_says_registered_or_not_where_and_since_when(reg_world, submit):
    zhang = reg_world.people.zhang
    state = selectors.registration_status_for_member(zhang)
    assert (state.registered, state.label, state.community, state.since) == (False, "未报到", None, None)
    reg = submit(zhang)
    state = selectors.registration_status_for_member(zhang)
    assert (state.pending, state.label, state.community) == (True, "待确认", reg_world.c1)
    confirmed = services.registration_confirm(actor=reg_world.users.community_worker, registration=reg)
    state = selectors.registration_status_for_member(zhang)
    assert (state.registered, state.label, state.community) == (True, "已报到", reg_world.c1)
    assert state.since == confirmed.decided_at
    services.registration_withdraw(actor=None, registration=reg, party=Party.REGISTRANT)
    state = selectors.registration_status_for_member(zhang)
    # Withdrawn: not registered, but the last registration is still there to explain why.
    assert (state.registered, state.label, state.community, state.status) == (False, "未报到", None, "withdrawn")


def test_the_bulk_status_takes_one_query(reg_world, submit):
    people = reg_world.people
    submit(people.zhang)
    rejected = submit(people.li)
    services.registration_reject(actor=reg_world.users.community_worker, registration=rejected, reason="x")
    submit(people.li)  # a new open one after the rejection wins
    with CaptureQueriesContext(connection) as ctx:
        states = selectors.registration_states_for_members([people.zhang.pk, people.li.pk, people.wang.pk])
        labels = {pk: (s.label, s.community.name) for pk, s in states.items()}
    assert len(ctx.captured_queries) == 1
    assert labels == {people.zhang.pk: ("待确认", "婆石社区"), people.li.pk: ("待确认", "婆石社区")}


def test_a_joint_branch_registered_through_one_unit_covers_its_other_units_there(reg_world):
    w = reg_world
    joint = org_services.org_create(
        actor=None, org_type="joint_branch", name="婆石社区非公企业联合党支部", parent=w.cc1, area=w.c1
    )
    a = ResidentUnit.objects.create(
        name="甲公司", kind="enterprise", community=w.c1, party_org=joint, credit_code=credit_code(2)
    )
    b = ResidentUnit.objects.create(
        name="乙公司", kind="enterprise", community=w.c1, party_org=joint, credit_code=credit_code(3)
    )
    far = ResidentUnit.objects.create(name="丙公司", kind="enterprise", community=w.c3, party_org=joint)
    services.registration_submit_unit(
        actor=None, unit=a, community=w.c1, contact_name="甲", contact_mobile="13900000001"
    )
    states = selectors.registration_states_for_units([a, b, far, w.unit])
    assert states[a.pk].pending and states[b.pk].pending  # the organization registered in 婆石社区
    assert not states[far.pk].is_open  # 海虹社区: it has not registered there
    assert not states[w.unit.pk].is_open
    assert selectors.registration_status_for_unit(b).community == w.c1
    assert list(selectors.unregistered_units(w.c1)) == [w.unit]
    assert list(selectors.unregistered_units(w.c3)) == [far]


def test_a_unit_registered_elsewhere_reads_as_registered_there(reg_world):
    reg = services.registration_submit_unit(
        actor=None, unit=reg_world.unit, community=reg_world.c3, contact_name="刘洋", contact_mobile="13800000006"
    )
    state = selectors.registration_status_for_unit(reg_world.unit)
    assert state.registration == reg and state.community == reg_world.c3
    assert selectors.is_out_of_home(reg)


def test_the_five_lists_come_in_the_seeds_order_and_accept_new_sources(reg_world):
    sections = selectors.community_five_lists(reg_world.c1)
    assert [s.title for s in sections] == ["文件清单", "报到清单", "需求清单", "服务清单", "评价清单"]
    # The demand loop has plugged its three lists in (dangjian/demands/lists.py).
    assert [s.available for s in sections] == [True, True, True, True, True]
    # A list without a source says when it will fill; a new source replaces the entry.
    saved = selectors._SOURCES.pop("evaluations")
    try:
        assert "群众点单、社区派单、党员接单上线后" in selectors.community_five_lists(reg_world.c1)[4].empty_text
        selectors.register_list_source(
            "evaluations", SectionSource(lambda c: ResidentUnit.objects.filter(community=c), "x.html")
        )
        evaluations = selectors.community_five_lists(reg_world.c1)[4]
        assert evaluations.available and evaluations.count == 1
    finally:
        selectors._SOURCES["evaluations"] = saved
    with pytest.raises(ValueError, match="not one of the five lists"):
        selectors.register_list_source("wishes", SectionSource(lambda c: None, "x.html"))


def test_service_intentions_are_data_with_defaults(reg_world):
    from dangjian.registration.models import ServiceIntention

    defaults = selectors.service_intentions_for(reg_world.c1)
    assert defaults[:6] == ["政策宣讲", "文艺演出", "法律服务", "文明劝导", "爱心帮扶", "周末课堂"]
    ServiceIntention.objects.create(district=reg_world.district, name="口岸志愿服务", order=1)
    ServiceIntention.objects.create(district=reg_world.district, name="政策宣讲", order=2)
    assert selectors.service_intentions_for(reg_world.c3) == ["口岸志愿服务", "政策宣讲"]
    ServiceIntention.objects.filter(name="口岸志愿服务").update(is_active=False)
    assert selectors.service_intentions_for(reg_world.c3) == ["政策宣讲"]


def test_matching_needs_both_details_and_tolerates_spaces(reg_world):
    zhang = reg_world.people.zhang
    assert selectors.match_member(id_number=zhang.id_number.lower(), name=" 张 三 ") == zhang
    assert selectors.match_member(id_number=zhang.id_number, name="李四") is None
    assert selectors.match_unit(credit_code=credit_code(1), name="拱北口岸中心") == reg_world.unit
    assert selectors.match_unit(credit_code=credit_code(1), name="口岸中心党支部") == reg_world.unit
    assert selectors.match_unit(credit_code="", name="拱北口岸中心") is None
