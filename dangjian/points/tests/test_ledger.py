from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from dangjian.points import services
from dangjian.points.models import PointEntry, PointTotal

YEAR = timezone.localdate().year


def test_it_corrects_with_a_reversing_entry_and_never_edits(pts):
    entry = services.award(user=pts.users.member, rule_code="demand_done", event_key="demand:1")
    reversal = services.correct(actor=pts.users.community_worker, entry=entry, reason="重复记分")
    entry.refresh_from_db()
    assert reversal.points == -entry.points and reversal.reverses == entry and entry.points > 0
    assert services.totals(pts.people.wang, YEAR).total == 0
    with pytest.raises(services.PointsRefused):
        services.correct(actor=pts.users.community_worker, entry=entry, reason="再来一次")
    with pytest.raises(services.PointsRefused):
        services.correct(actor=pts.users.community_worker, entry=reversal, reason="冲正的冲正")
    # A retried event after the correction does not award again.
    assert services.award(user=pts.users.member, rule_code="demand_done", event_key="demand:1").pk == entry.pk
    assert PointEntry.objects.count() == 2


def test_it_refuses_a_correction_without_a_reason_or_out_of_scope(pts):
    entry = services.award(user=pts.users.member, rule_code="demand_done", event_key="demand:1")
    with pytest.raises(ValidationError):
        services.correct(actor=pts.users.community_worker, entry=entry, reason=" ")
    with pytest.raises(services.PointsRefused):
        services.correct(actor=pts.users.community_worker_outsider, entry=entry, reason="不在范围")
    with pytest.raises(services.PointsRefused):
        services.correct(actor=pts.users.member, entry=entry, reason="自己改")


def test_it_awards_by_hand_once_per_form_with_a_reason(pts):
    worker = pts.users.community_worker
    entry = services.award_manual(
        actor=worker, member=pts.people.li, rule_code="study_session", reason="参加党课", token="t1"
    )
    again = services.award_manual(
        actor=worker, member=pts.people.li, rule_code="study_session", reason="参加党课", token="t1"
    )
    assert again.pk == entry.pk and entry.note == "参加党课" and entry.category.code == "study"
    assert entry.created_by == worker
    with pytest.raises(ValidationError):
        services.award_manual(actor=worker, member=pts.people.li, rule_code="study_session", reason="", token="t2")
    with pytest.raises(services.PointsRefused):  # a rule fed by events is not for hand awards
        services.award_manual(actor=worker, member=pts.people.li, rule_code="demand_done", reason="x", token="t3")
    with pytest.raises(services.PointsRefused):
        services.award_manual(
            actor=pts.users.community_worker_outsider,
            member=pts.people.li,
            rule_code="study_session",
            reason="x",
            token="t4",
        )
    assert PointEntry.objects.count() == 1


def test_it_keeps_the_totals_equal_to_the_ledger(pts):
    u = pts.users
    services.award(user=u.member, rule_code="service_hour", event_key="a", quantity=Decimal("1.5"))
    e = services.award(user=u.member, rule_code="demand_done", event_key="a")
    services.award(user=u.member, rule_code="good_rating", event_key="a")
    services.award_manual(
        actor=u.community_worker, member=pts.people.wang, rule_code="deduction", reason="缺席", token="d"
    )
    services.correct(actor=u.community_worker, entry=e, reason="误记")
    for cat in [
        None,
        *PointTotal.objects.filter(member=pts.people.wang).exclude(category=None).values_list("category", flat=True),
    ]:
        ledger = PointEntry.objects.filter(member=pts.people.wang, year=YEAR)
        if cat is not None:
            ledger = ledger.filter(category_id=cat)
        total = PointTotal.objects.get(member=pts.people.wang, year=YEAR, category_id=cat).points
        assert total == ledger.aggregate(s=Sum("points"))["s"]
    by_code = {row.category.code: row.points for row in services.totals(pts.people.wang, YEAR).by_category}
    assert by_code["study"] == 0 and set(by_code) == {"study", "service", "vanguard", "dedication"}


def test_it_awards_registration_points_when_a_registration_is_confirmed(pts):
    from dangjian.registration import services as registration

    reg = registration.registration_submit_member(actor=None, member=pts.people.wang, community=pts.c1)
    registration.registration_confirm(actor=pts.users.community_worker, registration=reg)
    entry = PointEntry.objects.get(member=pts.people.wang)
    assert entry.rule.code == "registration" and entry.event_key == f"registration:{reg.public_id}"
    # A member without an account gets nothing and the confirmation still goes through.
    reg2 = registration.registration_submit_member(actor=None, member=pts.people.li, community=pts.c1)
    registration.registration_confirm(actor=pts.users.community_worker, registration=reg2)
    assert not PointEntry.objects.filter(member=pts.people.li).exists()
