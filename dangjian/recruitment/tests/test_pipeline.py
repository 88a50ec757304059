import datetime

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.figures import facts
from dangjian.core.periods import period_for
from dangjian.notifications.models import Message
from dangjian.people.models import ACTIVE_STATUSES, MemberCategory, MemberStatus
from dangjian.people.services.accounts import validate_account_link
from dangjian.recruitment import services
from dangjian.recruitment.facts import PIPELINE, SPANS
from dangjian.recruitment.models import Stage, StageSpan
from dangjian.recruitment.workflow import RECRUIT_FLOW, Step

from .conftest import DAY, VOTE, walk


def test_a_file_walks_to_full_membership_and_the_member_record_follows(world, cast, apply):
    r = walk(apply(), Stage.PROBATIONARY, cast)
    assert r.member.category == MemberCategory.PROBATIONARY
    assert r.member.joined_on == r.admitted_on and r.member.org == world.eb
    r = walk(r, Stage.FULL, cast)
    r.member.refresh_from_db()
    assert r.member.category == MemberCategory.FULL
    assert r.member.confirmed_on == r.probation_ends_on == r.converted_on
    assert [v.kind for v in r.votes.all()] == ["admit", "convert"]
    assert list(r.spans.order_by("entered_on").values_list("stage", flat=True)) == [
        Stage.APPLICANT,
        Stage.ACTIVIST,
        Stage.CANDIDATE,
        Stage.PLANNED,
        Stage.PENDING_APPROVAL,
        Stage.PROBATIONARY,
        Stage.PENDING_CONVERSION,
    ]


def test_a_probationary_membership_is_cancelled_and_the_record_leaves_the_books(world, cast, apply):
    r = walk(apply(), Stage.PROBATIONARY, cast)
    on = r.approved_on + 90 * DAY
    reason = "预备期内多次无故不参加组织生活，经教育仍不改正"

    # The branch's secretary cannot decide it alone; the committee needs the branch meeting's vote, passed.
    with pytest.raises(ValidationError):
        services.recruit_step(actor=cast.secretary, recruit=r, step=Step.DISQUALIFY, on=on, note=reason, **VOTE)
    with pytest.raises(ValidationError, match="请填写应到"):
        services.recruit_step(actor=world.users.subdistrict_admin, recruit=r, step=Step.DISQUALIFY, on=on, note=reason)
    failed = {"due": 9, "present": 8, "votes_for": 4, "against": 4, "abstain": 0}
    with pytest.raises(ValidationError, match="表决未通过"):
        services.recruit_step(
            actor=world.users.subdistrict_admin, recruit=r, step=Step.DISQUALIFY, on=on, note=reason, **failed
        )
    with pytest.raises(ValidationError, match="审批接收之后"):
        services.recruit_step(
            actor=world.users.subdistrict_admin, recruit=r, step=Step.DISQUALIFY, on=r.approved_on - DAY,
            note=reason, **VOTE,
        )  # fmt: skip

    r = services.recruit_step(
        actor=world.users.subdistrict_admin, recruit=r, step=Step.DISQUALIFY, on=on, note=reason, **VOTE
    )
    assert r.status == Stage.ENDED and r.ended_on == on
    assert [v.kind for v in r.votes.all()] == ["admit", "disqualify"]
    assert r.spans.get(stage=Stage.PROBATIONARY).left_on == on
    member = r.member
    member.refresh_from_db()
    assert member.status == MemberStatus.REMOVED and member.status not in ACTIVE_STATUSES
    change = member.status_changes.get(to_status=MemberStatus.REMOVED)
    assert change.from_status == MemberStatus.IN_SERVICE and reason in change.note
    # Off the books: no account, no transfer, and nothing more happens to the file.
    with pytest.raises(ValidationError, match="已出党"):
        validate_account_link(actor=None, member=member, user=None)
    with pytest.raises(ValidationError):
        services.recruit_step(actor=None, recruit=r, step=Step.CONVERT_VOTE, on=on, **VOTE)


def test_the_committee_cancels_instead_of_converting_without_a_second_vote(world, cast, apply):
    r = walk(apply(), Stage.PENDING_CONVERSION, cast)
    r = services.recruit_step(
        actor=world.users.district_admin,
        recruit=r,
        step=Step.DISQUALIFY,
        on=r.conversion_voted_on + 10 * DAY,
        note="上级党委审查发现其隐瞒重要情况，不予转正",
    )
    assert r.status == Stage.ENDED and [v.kind for v in r.votes.all()] == ["admit", "convert"]
    r.member.refresh_from_db()
    assert r.member.status == MemberStatus.REMOVED and r.member.category == MemberCategory.PROBATIONARY


def test_the_store_counts_stages_and_times(world, cast, apply):
    walk(apply(name="甲"), Stage.CANDIDATE, cast)
    walk(apply(name="乙", birth_date=datetime.date(1990, 1, 1)), Stage.ACTIVIST, cast)
    apply(name="丙", user=None)
    stock = facts.stock_total(PIPELINE, world.s1.path)
    assert (stock["people"], stock[Stage.APPLICANT], stock[Stage.ACTIVIST], stock[Stage.CANDIDATE]) == (3, 1, 1, 1)
    assert facts.stock_total(PIPELINE, world.s2.path)["people"] == 0
    spans = facts.by_dim(
        SPANS,
        world.c1.path,
        period_for("custom", datetime.date.today() - datetime.timedelta(days=1800), datetime.date.today()),
        "stage",
    )
    activist = StageSpan.objects.get(recruit__name="甲", stage=Stage.ACTIVIST)
    assert spans[Stage.ACTIVIST]["spans"] == 1 and spans[Stage.ACTIVIST]["days"] == activist.days
    assert spans[Stage.APPLICANT]["spans"] == 2 and spans[Stage.APPLICANT]["lt3m"] == 2
    assert spans[Stage.ACTIVIST]["m12_18"] == 1


def test_steps_tell_the_applicant_and_the_secretary(world, cast, apply):
    r = apply()
    Message.objects.all().delete()
    walk(r, Stage.ACTIVIST, cast, actor=world.users.community_worker)
    told = set(Message.objects.filter(event="recruitment.recruit.make_activist").values_list("recipient_id", flat=True))
    assert told == {cast.applicant.pk, cast.secretary.pk}


@pytest.mark.parametrize(("source", "step", "names"), RECRUIT_FLOW.notify_declarations(), ids=str)
def test_every_declared_notice_names_known_people(world, cast, apply, source, step, names):
    r = apply()
    for name in names:
        assert set(RECRUIT_FLOW.recipients(r, name, None)) <= {cast.applicant.pk, cast.secretary.pk}
        assert list(RECRUIT_FLOW.recipients(r, name, None))


def test_an_applicant_under_age_is_refused_with_the_day_they_may_apply(world, apply, base):
    with pytest.raises(ValidationError) as exc:
        apply(birth_date=base.replace(year=base.year - 17))
    assert f"最早可在 {base.replace(year=base.year + 1).isoformat()}" in str(exc.value)
