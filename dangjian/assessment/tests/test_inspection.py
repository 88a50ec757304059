"""双随机: a draw is a pure function of its candidates (in a stable order) and its seed, so the logged seed
draws the same sample again; inspectors record findings on the phone; each finding runs its own workflow
(open → rectified → verified, or back), scoped like the sheets."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dangjian.assessment.inspection import draw_sample
from dangjian.assessment.models import Finding, FindingStatus, Pick
from dangjian.assessment.services import inspection
from dangjian.assessment.workflow import FINDING_FLOW, FindingStep
from dangjian.audit.models import AuditEvent
from dangjian.core.workflow import TransitionRefused

pytestmark = pytest.mark.django_db
SOON = timezone.localdate() + datetime.timedelta(days=14)


def test_the_same_seed_draws_the_same_sample():
    orgs, people = list(range(50)), ["a", "b", "c", "d"]
    first = draw_sample(orgs, people, seed=20260701, k=8, m=2)
    assert draw_sample(orgs, people, seed=20260701, k=8, m=2) == first
    assert draw_sample(orgs, people, seed=20260702, k=8, m=2) != first
    assert len({o for o, _p in first}) == 8 and len({p for _o, p in first}) == 2
    assert draw_sample(orgs[:3], people, seed=1, k=8, m=9)[2][0] in orgs[:3]  # never more than there are


def test_a_logged_seed_redraws_the_stored_draw(world, cast, scheme):
    draw = inspection.draw_make(actor=cast.district, scheme=scheme, org_count=2, inspector_count=2)
    stored = [(p.org_id, p.inspector_id) for p in draw.picks.order_by("position")]
    assert len(stored) == 2
    assert [(o.pk, i.pk) for o, i in inspection.redraw(draw)] == stored
    logged = AuditEvent.objects.get(object_id=str(draw.public_id), action="create")
    assert logged.changes["seed"][1] == draw.seed
    again = inspection.draw_make(actor=cast.district, scheme=scheme, org_count=2, inspector_count=2, seed=draw.seed)
    assert [(p.org_id, p.inspector_id) for p in again.picks.order_by("position")] == stored
    with pytest.raises(ValidationError):
        inspection.draw_make(actor=world.users.subdistrict_admin, scheme=scheme, org_count=2, inspector_count=1)


@pytest.fixture
def pick(world, cast, scheme):
    draw = inspection.draw_make(actor=cast.district, scheme=scheme, org_count=4, inspector_count=1, seed=7)
    p = draw.picks.get(org=world.cc1)
    Pick.objects.filter(pk=p.pk).update(inspector=cast.panelist)
    p.refresh_from_db()
    return p


def test_a_finding_is_rectified_by_the_secretary_and_verified_by_the_inspector(world, cast, pick):
    with pytest.raises(ValidationError):
        inspection.finding_record(actor=cast.secretary, pick=pick, text="台账不全", deadline=SOON)
    finding = inspection.finding_record(actor=cast.panelist, pick=pick, text="三会一课台账不全", deadline=SOON)
    assert finding.status == FindingStatus.OPEN and finding.log.get().step == "create"
    for actor in (cast.panelist, cast.outsider_secretary):
        with pytest.raises(TransitionRefused):
            inspection.finding_rectify(actor=actor, finding=finding, note="已补齐")
    finding = inspection.finding_rectify(actor=cast.secretary, finding=finding, note="已补齐台账")
    assert finding.status == FindingStatus.RECTIFIED and finding.rectified_note == "已补齐台账"
    with pytest.raises(TransitionRefused):
        inspection.finding_verify(actor=cast.secretary, finding=finding)
    finding = inspection.finding_reopen(actor=cast.panelist, finding=finding, note="会议记录仍缺签到")
    finding = inspection.finding_rectify(actor=cast.secretary, finding=finding, note="已补签到表")
    finding = inspection.finding_verify(actor=cast.panelist, finding=finding)
    assert finding.status == FindingStatus.VERIFIED
    steps = list(finding.log.order_by("at", "pk").values_list("step", flat=True))
    assert steps == ["create", "rectify", "reopen", "rectify", "verify"]


def test_only_the_declared_moves_are_open(world, cast, pick):
    finding = inspection.finding_record(actor=cast.panelist, pick=pick, text="阵地未挂牌", deadline=SOON)
    secretary_steps = {FindingStep.RECTIFY}
    for status in FindingStatus.values:
        Finding.objects.filter(pk=finding.pk).update(status=status)
        finding.refresh_from_db()
        for step in FindingStep.values:
            declared = FINDING_FLOW.move(status, step) is not None
            for actor, may in (
                (cast.secretary, declared and step in secretary_steps),
                (cast.panelist, declared and step not in secretary_steps),
                (cast.district, declared and step not in secretary_steps),
                (None, declared),
                (cast.outsider_secretary, False),
                (world.users.subdistrict_admin_outsider, False),
            ):
                try:
                    FINDING_FLOW.check(finding, actor=actor, step=step)
                    allowed = True
                except TransitionRefused:
                    allowed = False
                assert allowed is may, (status, step, getattr(actor, "username", "system"))


def test_the_inspection_pages_are_scoped(world, cast, pick, assert_scoped, login):
    u = world.users
    url = reverse("assessment:pick", args=[pick.public_id])
    client = login(cast.panelist)
    client.post(
        url, {"text": "党员活动室未开放<b>x</b>", "deadline": SOON.isoformat(), "idempotency_key": "finding-key-1"}
    )
    client.post(
        url, {"text": "党员活动室未开放<b>x</b>", "deadline": SOON.isoformat(), "idempotency_key": "finding-key-1"}
    )
    finding = Finding.objects.get()  # the retry wrote nothing
    assert_scoped(url, owner=cast.panelist, colleague=u.subdistrict_admin, outsider=u.subdistrict_admin_outsider)
    assert_scoped(url, owner=cast.district, colleague=cast.secretary, outsider=cast.outsider_secretary)
    draw_url = reverse("assessment:draw", args=[pick.draw.public_id])
    assert_scoped(draw_url, owner=cast.district, colleague=u.subdistrict_admin, outsider=u.grid_worker)
    step_url = reverse("assessment:finding_step", args=[finding.public_id])
    for outsider in (cast.outsider_secretary, u.subdistrict_admin_outsider):
        assert_scoped(step_url, owner=None, outsider=outsider, method="post")
    mine = login(cast.secretary).get(reverse("assessment:mine")).content.decode()
    assert "党员活动室未开放&lt;b&gt;x&lt;/b&gt;" in mine
    login(cast.secretary).post(step_url, {"step": "rectify", "note": "已开放", "back": "mine"})
    assert Finding.objects.get().status == FindingStatus.RECTIFIED
    assert_scoped(
        reverse("assessment:draw_new", args=[pick.draw.scheme.public_id]), owner=None, outsider=u.grid_worker,
        method="post",
    )  # fmt: skip
