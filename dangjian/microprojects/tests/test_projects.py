"""A proposal through every step to 结项 with its money in the funds ledger; caps, the council's vote and
acceptance refused in clear Chinese."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.core.integrity import run as integrity_run
from dangjian.funds.selectors import available, commitment_summary
from dangjian.microprojects.models import DistrictRules, Kind, ProjectLog, Status
from dangjian.microprojects.services import progress, projects
from dangjian.microprojects.workflow import Step

from .conftest import hold_review, photo

pytestmark = pytest.mark.django_db


def test_a_project_goes_from_proposal_to_close_and_its_money_reconciles(world, propose, advance, funded):
    year = timezone.localdate().year
    project = propose()
    assert project.status == Status.COLLECTING and project.proposed_by == world.users.resident
    project = advance(project, Status.PUBLICIZING)
    assert project.budget_committed == Decimal("38000.00") and project.implementer == "拱北口岸中心"
    assert available(world.c1, "micro", year) == Decimal("962000.00")
    assert project.acceptor_name == "李验收" and project.votes_count == 3 and project.satisfaction == Decimal("100.0")
    project = advance(project, Status.CLOSED)
    assert (project.amount_paid, project.amount_released) == (Decimal("30000.00"), Decimal("8000.00"))
    summary = commitment_summary(project.holder)
    assert (summary.committed, summary.paid, summary.released, summary.remaining) == (
        Decimal("38000.00"),
        Decimal("30000.00"),
        Decimal("8000.00"),
        Decimal("0.00"),
    )
    assert available(world.c1, "micro", year) == Decimal("970000.00")
    steps = list(ProjectLog.objects.filter(project=project).values_list("step", flat=True))
    assert steps[0] == "create" and steps[-1] == Step.CLOSE
    found = list(integrity_run(["microprojects.counts", "microprojects.procedure", "microprojects.money"]))
    assert all(not r.findings for r in found), [f.message for r in found for f in r.findings]


@pytest.mark.parametrize(
    ("kind", "amount", "words"),
    [
        (Kind.SERVICES, "200000.01", "服务类项目金额不能超过20万元"),
        (Kind.WORKS, "500001", "工程类项目金额不能超过50万元"),
    ],
)
def test_a_proposal_above_its_cap_is_refused_in_words(world, propose, kind, amount, words):
    with pytest.raises(ValidationError) as exc:
        propose(kind=kind, estimated_amount=Decimal(amount))
    assert words in " ".join(exc.value.messages)
    assert propose(kind=Kind.WORKS, estimated_amount=Decimal("500000")).estimated_amount == Decimal("500000")


def test_the_caps_are_the_districts_data(world, propose):
    DistrictRules.objects.create(district=world.district, goods_cap=Decimal("30000"))
    with pytest.raises(ValidationError) as exc:
        propose(kind=Kind.GOODS, estimated_amount=Decimal("38000"))
    assert "货物类项目金额不能超过3万元" in " ".join(exc.value.messages)


def test_the_budget_at_establishment_is_held_to_the_cap_and_to_the_balance(world, propose, advance):
    project = advance(propose(kind=Kind.SERVICES, estimated_amount=Decimal("150000")), Status.APPROVED)
    worker = world.users.community_worker
    with pytest.raises(ValidationError) as exc:
        projects.project_step(
            actor=worker, project=project, step=Step.ESTABLISH, amount="250000", implementer_name="某物业公司"
        )
    assert "服务类项目金额不能超过20万元" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError) as exc:
        projects.project_step(actor=worker, project=project, step=Step.ESTABLISH, amount="150000")
    assert "请填写实施单位" in " ".join(exc.value.messages)
    project.refresh_from_db()
    assert project.status == Status.APPROVED and project.budget_committed == 0


def test_review_passes_only_on_the_councils_quorum_and_vote(world, propose, council):
    worker = world.users.community_worker
    project = projects.project_step(actor=worker, project=propose(), step=Step.TO_REVIEW)
    with pytest.raises(ValidationError) as exc:
        projects.project_step(actor=worker, project=project, step=Step.PASS_REVIEW)
    assert "还没有召开并散会的评议会议" in " ".join(exc.value.messages)
    hold_review(project, present=1)
    with pytest.raises(ValidationError) as exc:
        projects.project_step(actor=worker, project=project, step=Step.PASS_REVIEW)
    assert "未达到法定人数" in " ".join(exc.value.messages)
    hold_review(project, present=3, votes_for=1)
    with pytest.raises(ValidationError) as exc:
        projects.project_step(actor=worker, project=project, step=Step.PASS_REVIEW)
    assert "评议未通过" in " ".join(exc.value.messages)
    hold_review(project, present=3, votes_for=2)
    project = projects.project_step(actor=worker, project=project, step=Step.PASS_REVIEW)
    assert project.status == Status.AUDITING
    assert project.review_meetings.filter(passed=True).count() == 1


def test_a_community_worker_cannot_approve_for_the_subdistrict(world, propose, advance):
    project = advance(propose(), Status.AUDITING)
    with pytest.raises(ValidationError) as exc:
        projects.project_step(actor=world.users.community_worker, project=project, step=Step.APPROVE)
    assert "街道" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError):
        projects.project_step(actor=world.users.subdistrict_admin_outsider, project=project, step=Step.APPROVE)


def test_acceptance_without_photos_or_votes_is_refused(world, propose, advance, voters):
    project = advance(propose(), Status.ACCEPTING)
    worker = world.users.community_worker
    with pytest.raises(ValidationError) as exc:
        projects.project_step(actor=worker, project=project, step=Step.ACCEPT, acceptor_name="李验收", note="合格")
    words = " ".join(exc.value.messages)
    assert "验收照片至少 1 张（现有 0 张）" in words and "居民满意度评价至少 3 人（现有 0 人）" in words
    with pytest.raises(ValidationError) as exc:
        progress.note_add(actor=worker, project=project, text="验收", kind="acceptance")
    assert "验收记录须附现场照片" in " ".join(exc.value.messages)
    progress.note_add(actor=worker, project=project, text="验收", kind="acceptance", photos=[photo()])
    for v in voters[:2]:
        progress.vote_cast(actor=v, project=project, verdict="basic")
    project.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        projects.project_step(actor=worker, project=project, step=Step.ACCEPT, acceptor_name="李验收", note="合格")
    words = " ".join(exc.value.messages)
    assert "居民满意度评价至少 3 人（现有 2 人）" in words and "照片" not in words
    with pytest.raises(ValidationError) as exc:
        progress.vote_cast(actor=voters[0], project=project, verdict="satisfied")
    assert "每人只能评价一次" in " ".join(exc.value.messages)
    progress.vote_cast(actor=voters[2], project=project, verdict="unsatisfied")
    project.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        projects.project_step(actor=worker, project=project, step=Step.ACCEPT, note="合格")
    assert "请填写验收人姓名" in " ".join(exc.value.messages)
    project = projects.project_step(
        actor=worker, project=project, step=Step.ACCEPT, acceptor_name="李验收", note="合格"
    )
    assert project.status == Status.PUBLICIZING and project.satisfaction == Decimal("66.7")


def test_close_waits_for_the_publicity_and_payments_stay_within_the_budget(world, propose, advance):
    project = advance(propose(), Status.PUBLICIZING)
    worker = world.users.community_worker
    with pytest.raises(ValidationError) as exc:
        projects.project_step(actor=worker, project=project, step=Step.CLOSE)
    assert "公示期满后才能结项" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError) as exc:
        progress.payment_record(
            actor=worker, project=project, amount="38000.01", payee="拱北口岸中心", memo="", key="k-over"
        )
    assert "超过了未支付的立项资金" in " ".join(exc.value.messages)
    project = progress.payment_record(actor=worker, project=project, amount="20000", payee="", memo="", key="k1")
    again = progress.payment_record(actor=worker, project=project, amount="20000", payee="", memo="", key="k1")
    assert again.amount_paid == Decimal("20000.00")
    later = timezone.now() + datetime.timedelta(days=8)
    project = projects.project_step(actor=worker, project=project, step=Step.CLOSE, now=later)
    assert (project.amount_paid, project.amount_released) == (Decimal("20000.00"), Decimal("18000.00"))


def test_a_proposer_may_withdraw_only_while_collected_and_a_resident_cannot_propose_elsewhere(world, propose):
    resident = world.users.resident
    with pytest.raises(ValidationError) as exc:
        propose(community=world.c3)
    assert "自己所在的社区" in " ".join(exc.value.messages)
    project = propose()
    project = projects.project_step(actor=resident, project=project, step=Step.WITHDRAW, note="已由物业解决")
    assert project.status == Status.WITHDRAWN


def test_project_propose_is_the_stable_entry_for_other_apps(world):
    project = projects.project_propose(
        actor=world.users.community_worker,
        community=world.c1,
        title="联席会议议定：口岸片区加装路灯",
        description="联席会议 2026-05 议定。",
        kind=Kind.WORKS,
        source="joint",
        source_ref="cobuilding.meeting:1",
    )
    assert (project.source, project.source_ref, project.estimated_amount) == ("joint", "cobuilding.meeting:1", None)
    with pytest.raises(ValidationError) as exc:
        projects.project_step(actor=world.users.community_worker, project=project, step=Step.TO_REVIEW)
    assert "估算金额" in " ".join(exc.value.messages)
