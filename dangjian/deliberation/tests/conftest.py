import datetime

import pytest
from django.utils import timezone

from dangjian.deliberation import rules
from dangjian.deliberation.services import councils, runs
from dangjian.deliberation.workflow import RunStep
from dangjian.meetings import services as meeting_services


@pytest.fixture
def council(world):
    c = councils.council_save(
        actor=world.users.community_worker,
        community=world.c1,
        name="婆石社区红色议事厅",
        term_start=datetime.date(2024, 1, 1),
        term_end=datetime.date(2026, 12, 31),
        charter="党的领导写入议事协商章程。",
    )
    for i in range(5):
        councils.representative_elect(actor=None, council=c, name=f"代表{i}", is_party_member=i < 2)
    c.refresh_from_db()
    return c


@pytest.fixture
def kinds(world):
    return list(rules.matter_kinds(world.c1))


@pytest.fixture
def start_run(world, kinds):
    def start(**kwargs):
        return runs.run_start(
            actor=world.users.community_worker,
            community=world.c1,
            title=kwargs.pop("title", "中珠新村加装电梯"),
            matters=kwargs.pop("matters", [{"kind": kinds[2], "title": "加装电梯筹资方案", "amount": "360000.00"}]),
            **kwargs,
        )

    return start


def hold(run, *, present, due=3, votes_for=None, actor=None, assembly=False, households_total=None):
    """Call, open, sign in `present` of `due`, count hands (default: all present for), close."""
    meeting = runs.stage_meeting_call(
        actor=actor,
        run=run,
        starts_at=timezone.now() + datetime.timedelta(days=4),
        roster=[{"name": f"人员{i}"} for i in range(due)],
        assembly=assembly,
        households_total=households_total,
    )
    meeting_services.meeting_step(actor=None, meeting=meeting, step="notify")
    meeting = meeting_services.meeting_step(actor=None, meeting=meeting, step="open")
    for a in meeting.attendees.filter(due=True).order_by("pk")[:present]:
        meeting_services.sign_in(actor=None, meeting=meeting, attendee=a)
    item = meeting.items.get()
    n = present if votes_for is None else votes_for
    meeting_services.hands_record(actor=None, item=item, votes_for=n, against=present - n, abstain=0)
    return meeting_services.meeting_step(actor=None, meeting=meeting, step="close")


@pytest.fixture
def published(world, start_run):
    """A run through every stage with its resolution published, in 婆石社区 (code 440402001001)."""
    run = start_run()
    for step in (RunStep.PASS_PROPOSE, RunStep.PASS_CONSULT, RunStep.PASS_REVIEW, RunStep.PASS_RESOLVE):
        hold(run, present=3)
        run = runs.run_step(actor=None, run=run, step=step)
    return runs.run_step(actor=None, run=run, step=RunStep.PUBLISH_RESOLUTION, text="同意加装电梯，居民自筹 36 万元。")
