"""Every page's scope (owner and colleague 200, outsider 404), the desk's steps through the pages, the
phone's writes (idempotent), the public board without sign-in, figures, the Excel export and the PDF."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.microprojects.models import Claim, Project, SatisfactionVote, Status
from dangjian.microprojects.views import phone, projects

from .conftest import photo

pytestmark = pytest.mark.django_db
REPLAYED = "这次提交已处理，未重复提交。"


def test_the_phone_writes_are_idempotent():
    for view in (phone.propose, phone.claim_new, phone.vote, projects.project_new, projects.project_act):
        assert getattr(view, "idempotent", False) is True, view.__name__


def test_every_desk_page_is_scoped(world, propose, advance, assert_scoped):
    u = world.users
    project = advance(propose(), Status.ACCEPTING)
    pages = [
        reverse("microprojects:detail", args=[project.public_id]),
        reverse("microprojects:pdf", args=[project.public_id]),
    ]
    for url in pages:
        assert_scoped(
            url, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider
        )
    ph = project.photos.first()
    assert_scoped(
        reverse("microprojects:photo", args=[ph.public_id]),
        owner=u.community_worker,
        colleague=u.community_worker_colleague,
        outsider=u.subdistrict_admin_outsider,
    )
    # the proposer sees their own project; the neighbour does not
    assert_scoped(
        reverse("microprojects:detail", args=[project.public_id]),
        owner=u.resident,
        outsider=u.grid_worker_outsider,
        expect_text=project.title,
    )


def test_the_list_shows_only_the_projects_in_scope(world, propose, client):
    project = propose()
    for user, shown in ((world.users.community_worker, True), (world.users.subdistrict_admin, True),
                        (world.users.community_worker_outsider, False)):  # fmt: skip
        client.force_login(user)
        page = client.get(reverse("microprojects:list")).content.decode()
        assert (project.title in page) is shown, user.username


def test_an_outsider_gets_404_on_every_post(world, propose, advance, client):
    project = advance(propose(), Status.IMPLEMENTING)
    client.force_login(world.users.community_worker_outsider)
    for action in ("step", "update", "meeting", "progress", "payment"):
        url = reverse("microprojects:act", args=[project.public_id, action])
        assert client.post(url, {"step": "finish", "text": "x"}).status_code == 404, action
    client.force_login(world.users.resident)  # the proposer: may see, but not run the desk's actions
    assert (
        client.post(reverse("microprojects:act", args=[project.public_id, "progress"]), {"text": "x"}).status_code
        == 404
    )
    project.refresh_from_db()
    assert (project.status, project.notes_count) == (Status.IMPLEMENTING, 0)


def test_the_desk_takes_a_project_through_its_pages(world, propose, council, client):
    worker = world.users.community_worker
    project = propose(estimated_amount=None)
    client.force_login(worker)
    url = reverse("microprojects:detail", args=[project.public_id])
    act = lambda a: reverse("microprojects:act", args=[project.public_id, a])  # noqa: E731
    page = client.get(url).content.decode()
    assert "确定类别和估算金额" in page and "提交议事会评议" in page
    client.post(act("update"), {"kind": "works", "estimated_amount": "600000"})
    project.refresh_from_db()
    assert project.estimated_amount is None
    follow = client.post(act("step"), {"step": "to_review"}, follow=True).content.decode()
    assert "请先确定项目类别和估算金额" in follow
    client.post(act("update"), {"kind": "works", "estimated_amount": "420000"})
    client.post(act("step"), {"step": "to_review"})
    start = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(act("meeting"), {"starts_at": start, "place": "党群服务中心"})
    project.refresh_from_db()
    meeting = project.review_meetings.get().meeting
    assert response.url == reverse("meetings:detail", args=[meeting.public_id])
    assert (project.status, project.estimated_amount, meeting.attendees.filter(due=True).count()) == (
        Status.REVIEWING,
        420000,
        3,
    )


def test_a_resident_proposes_from_the_phone_once(world, login):
    client = login(world.users.resident)
    url = reverse("microprojects:propose")
    assert 'name="idempotency_key"' in client.get(url).content.decode()
    data = {"title": "楼道加装扶手", "kind": "works", "estimated_amount": "12000", "idempotency_key": "propose-key-1"}
    first = client.post(url, data)
    retry = client.post(url, data)
    assert first["Location"] == retry["Location"] and retry["Idempotent-Replayed"] == "true"
    project = Project.objects.get()
    assert (project.source, project.community, project.proposed_by) == ("resident", world.c1, world.users.resident)
    assert "楼道加装扶手" in client.get(reverse("microprojects:mine")).content.decode()
    refused = client.post(url, {"title": "建体育馆", "kind": "works", "estimated_amount": "900000"}, follow=True)
    assert "工程类项目金额不能超过50万元" in refused.content.decode()


def test_a_unit_claims_from_the_phone_once_and_it_shows_on_its_record(world, login, propose, advance):
    project = advance(propose(), Status.APPROVED)
    client = login(world.users.unit_contact)
    board = client.get(reverse("microprojects:claims")).content.decode()
    assert project.title in board and 'name="idempotency_key"' in board
    url = reverse("microprojects:claim", args=[project.public_id])
    data = {"kind": "materials", "part": "提供 20 把椅子", "idempotency_key": "claim-key-1"}
    client.post(url, data)
    retry = client.post(url, data)
    assert retry["Idempotent-Replayed"] == "true" and Claim.objects.count() == 1
    assert "提供 20 把椅子" in client.get(reverse("microprojects:claims")).content.decode()
    from django.template import Context, Template

    html = Template("{% load microprojects_claims %}{% project_claims unit=unit %}").render(
        Context({"unit": world.unit})
    )
    assert "提供 20 把椅子" in html and project.title in html
    outsider = login(world.users.community_worker)
    assert outsider.post(url, {"kind": "labour", "hours": "2"}).status_code in (403, 404)


def test_the_public_board_shows_the_project_and_residents_vote_there(world, propose, advance, client, voters):
    project = advance(propose(), Status.ACCEPTING)
    board = reverse("microprojects:board", args=[world.c1.code])
    page = client.get(board).content.decode()
    assert project.title in page and "立项资金" in page
    detail = reverse("microprojects:board_project", args=[world.c1.code, project.public_id])
    page = client.get(detail).content.decode()
    assert "本社区居民登录后可以评价" in page and "座椅已安装一半" in page
    ph = project.photos.first()
    assert (
        client.get(
            reverse("microprojects:board_photo", args=[world.c1.code, project.public_id, ph.public_id])
        ).status_code
        == 200
    )
    assert client.get(reverse("microprojects:board", args=["440402002001"])).status_code == 404
    client.force_login(voters[0])
    vote = reverse("microprojects:vote", args=[project.public_id])
    client.post(vote, {"verdict": "satisfied", "idempotency_key": "vote-key-1"})
    retry = client.post(vote, {"verdict": "satisfied", "idempotency_key": "vote-key-1"})
    assert retry["Idempotent-Replayed"] == "true" and SatisfactionVote.objects.count() == 1
    assert "您的评价：满意" in client.get(detail).content.decode()
    hidden = propose(title="还在征集的项目")
    assert client.get(reverse("microprojects:board_project", args=[world.c1.code, hidden.public_id])).status_code == 404


def test_figures_export_and_dossier(world, propose, advance, client):
    done = advance(propose(), Status.CLOSED)
    propose(title="第二个提议", kind="services", estimated_amount=None)
    client.force_login(world.users.district_admin)
    page = client.get(reverse("microprojects:figures") + "?period=this_year").content.decode()
    assert 'data-testid="total-projects">2 个，其中居民提议 2 个（100.0%）' in page
    assert 'data-testid="total-committed">38,000.00 元' in page
    assert 'data-testid="total-spent">30,000.00 元' in page
    client.force_login(world.users.community_worker)
    export = client.get(reverse("imports:export_microprojects_projects"))
    assert export.status_code == 200 and "spreadsheetml" in export["Content-Type"]
    pdf = client.get(reverse("microprojects:pdf", args=[done.public_id]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] in ("application/pdf", "text/html; charset=utf-8")


def test_the_lists_cost_a_fixed_number_of_queries(world, propose, count_queries, login):
    u = world.users
    for i in range(3):
        propose(title=f"提议{i}")
    few = count_queries(u.community_worker, reverse("microprojects:list"))
    mine = count_queries(u.resident, reverse("microprojects:mine"))
    board = count_queries(u.nobody, reverse("microprojects:board", args=[world.c1.code]))
    for i in range(3, 30):
        propose(title=f"提议{i}")
    assert count_queries(u.community_worker, reverse("microprojects:list")) == few
    assert count_queries(u.resident, reverse("microprojects:mine")) == mine
    assert count_queries(u.nobody, reverse("microprojects:board", args=[world.c1.code])) == board
    assert few <= 12, few


__all__ = ["photo"]
