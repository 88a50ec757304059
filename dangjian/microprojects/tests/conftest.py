import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.conftest import make_user
from dangjian.deliberation.services import councils
from dangjian.meetings import services as meeting_services
from dangjian.microprojects.models import Kind, Source, Status
from dangjian.microprojects.services import claims, progress, projects, review
from dangjian.microprojects.workflow import Step

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def photo(name="site.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def council(world):
    c = councils.council_save(
        actor=world.users.community_worker,
        community=world.c1,
        name="婆石社区红色议事厅",
        term_start=datetime.date(2024, 1, 1),
        term_end=datetime.date(2030, 12, 31),
    )
    for i in range(3):
        councils.representative_elect(actor=None, council=c, name=f"代表{i}", is_party_member=i < 2)
    return c


@pytest.fixture
def funded(world):
    """The 民生微实事资金 of 婆石社区 for this year: 100万元, entered and approved by two district admins."""
    from dangjian.funds.services.allocations import allocate_now

    second = make_user("qu2", "district_admin", area=world.district)
    return allocate_now(
        actor=world.users.district_admin,
        approver=second,
        area=world.c1,
        kind="micro",
        year=timezone.localdate().year,
        amount=Decimal(1000000),
        memo="年度民生微实事资金",
    )


@pytest.fixture
def voters(world):
    return [make_user(f"jm{i}", "resident", home_community=world.c1) for i in range(3)]


@pytest.fixture
def propose(world):
    def make(**kwargs):
        kwargs.setdefault("actor", world.users.resident)
        kwargs.setdefault("community", world.c1)
        kwargs.setdefault("title", "中珠新村加装休闲座椅")
        kwargs.setdefault("description", "小区广场没有座椅，老人休息不便。")
        kwargs.setdefault("kind", Kind.GOODS)
        kwargs.setdefault("source", Source.RESIDENT)
        kwargs.setdefault("estimated_amount", Decimal("38000"))
        return projects.project_propose(**kwargs)

    return make


def hold_review(project, *, present=3, votes_for=None, actor=None):
    """Call the council, sign in `present` (None: every representative due), count hands (default all
    for), close."""
    meeting = review.review_meeting_call(
        actor=actor, project=project, starts_at=timezone.now() + datetime.timedelta(days=1)
    )
    meeting = meeting_services.meeting_step(actor=None, meeting=meeting, step="open")
    if present is None:
        present = meeting.attendees.filter(due=True).count()
    for a in meeting.attendees.filter(due=True).order_by("pk")[:present]:
        meeting_services.sign_in(actor=None, meeting=meeting, attendee=a)
    n = present if votes_for is None else votes_for
    meeting_services.hands_record(actor=None, item=meeting.items.get(), votes_for=n, against=present - n, abstain=0)
    return meeting_services.meeting_step(actor=None, meeting=meeting, step="close")


@pytest.fixture
def advance(world, council, funded, voters):
    """Take a proposal as far as `to` (a status) through the services, as the community would."""
    worker, sub = world.users.community_worker, world.users.subdistrict_admin

    def go(project, to):
        order = [
            Status.COLLECTING,
            Status.REVIEWING,
            Status.AUDITING,
            Status.APPROVED,
            Status.IMPLEMENTING,
            Status.ACCEPTING,
            Status.PUBLICIZING,
            Status.CLOSED,
        ]
        while order.index(project.status) < order.index(to):
            s = project.status
            if s == Status.COLLECTING:
                project = projects.project_step(actor=worker, project=project, step=Step.TO_REVIEW)
            elif s == Status.REVIEWING:
                hold_review(project)
                project = projects.project_step(actor=worker, project=project, step=Step.PASS_REVIEW)
            elif s == Status.AUDITING:
                project = projects.project_step(actor=sub, project=project, step=Step.APPROVE)
            elif s == Status.APPROVED:
                project = projects.project_step(
                    actor=worker,
                    project=project,
                    step=Step.ESTABLISH,
                    amount=project.estimated_amount,
                    implementer_unit=world.unit,
                )
            elif s == Status.IMPLEMENTING:
                progress.note_add(actor=worker, project=project, text="座椅已安装一半", percent=50, photos=[photo()])
                project = projects.project_step(actor=worker, project=project, step=Step.FINISH)
            elif s == Status.ACCEPTING:
                progress.note_add(
                    actor=worker, project=project, text="现场验收，座椅牢固", photos=[photo()], kind="acceptance"
                )
                for v in voters:
                    progress.vote_cast(actor=v, project=project, verdict="satisfied")
                project = projects.project_step(
                    actor=worker, project=project, step=Step.ACCEPT, acceptor_name="李验收", note="合格"
                )
            elif s == Status.PUBLICIZING:
                project = projects.project_step(
                    actor=worker,
                    project=project,
                    step=Step.CLOSE,
                    final_payment=Decimal("30000"),
                    now=timezone.now() + datetime.timedelta(days=8),
                )
        return project

    return go


__all__ = ["claims", "hold_review", "photo"]
