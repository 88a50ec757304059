"""Every page: the owner and a colleague in scope see it, an outsider gets 404; reveals are audited; lists
cost a bounded number of queries however many rows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.audit.models import AuditEvent
from dangjian.workforce.models import Worker
from dangjian.workforce.services import reserve, stepup, training

D = datetime.date


@pytest.fixture
def setup(world, placed):
    w = placed(grade=5, since=D(2020, 1, 1), id_number="11010519491231002X", mobile="13812345678")
    run, _ = stepup.stepup_run_start(actor=None, district=world.district, year=2024)
    stepup.stepup_run_execute(run.pk)
    course = training.course_save(actor=None, area=world.s1, name="社区基层干部培训班", kind="class", year=2024)
    session = training.session_save(actor=None, course=course, title="第一讲", starts_at=timezone.now(), hours=2)
    cand = reserve.candidate_add(actor=None, community=world.c1, name="张强", birth_date=D(1992, 1, 1),
                                 education="bachelor", source="graduate")  # fmt: skip
    return w, run, course, session, cand


def test_pages_are_scoped(world, setup, assert_scoped):
    w, run, course, session, cand = setup
    u = world.users
    for url in (
        reverse("workforce:worker", args=[w.public_id]),
        reverse("workforce:worker_edit", args=[w.public_id]),
        reverse("workforce:worker_pdf", args=[w.public_id]),
        reverse("workforce:candidate", args=[cand.public_id]),
        reverse("workforce:course", args=[course.public_id]),
        reverse("workforce:session", args=[session.public_id]),
    ):
        assert_scoped(
            url, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.subdistrict_admin_outsider
        )
    assert_scoped(
        reverse("workforce:run", args=[run.public_id]), owner=u.district_admin, colleague=u.subdistrict_admin,
        outsider=u.resident,
    )  # fmt: skip


def test_lists_show_only_what_is_in_scope(world, setup, login):
    w, *_ = setup
    for name in ("workforce:home", "workforce:reserve", "workforce:courses", "workforce:figures",
                 "workforce:ladders", "workforce:runs"):  # fmt: skip
        inside = login(world.users.community_worker).get(reverse(name))
        assert inside.status_code == 200, name
    assert "李华" in login(world.users.community_worker).get(reverse("workforce:home")).content.decode()
    assert "李华" not in login(world.users.community_worker_outsider).get(reverse("workforce:home")).content.decode()
    assert login(world.users.resident).get(reverse("workforce:home")).status_code == 404


def test_personal_values_are_masked_and_a_reveal_is_audited(world, setup, login):
    w, *_ = setup
    client = login(world.users.district_admin)
    page = client.get(reverse("workforce:worker", args=[w.public_id])).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert "11010519491231002X" not in page
    response = client.post(reverse("workforce:worker_reveal", args=[w.public_id, "mobile"]))
    assert response.content.decode() == "13812345678"
    assert AuditEvent.objects.filter(action="reveal", object_id=str(w.public_id)).count() == 1
    outsider = login(world.users.subdistrict_admin_outsider)
    assert outsider.post(reverse("workforce:worker_reveal", args=[w.public_id, "mobile"])).status_code == 404


def test_only_the_district_approves_on_the_page(world, setup, login):
    _w, run, *_ = setup
    p = run.proposals.get()
    url = reverse("workforce:proposal_act", args=[p.public_id])
    assert login(world.users.subdistrict_admin).post(url, {"step": "approve"}).status_code == 404
    login(world.users.district_admin).post(url, {"step": "approve", "version": p.version})
    p.refresh_from_db()
    assert p.status == "approved"


def test_whatif_compares_the_draft_with_the_table_in_force(world, ladder, placed, login):
    from dangjian.workforce.services import ladders

    placed(grade=5, since=D(2020, 1, 1))  # 3,400 元
    placed(code="head", grade=9, kind="secretary", dual_role=True, name="书记")  # 3,800 + 300 元
    draft = ladders.ladder_copy_draft(actor=world.users.district_admin, ladder=ladder)
    ladders.draft_update(actor=world.users.district_admin, ladder=draft, pay={5: "3500", 9: "4000"})
    page = login(world.users.district_admin).get(reverse("workforce:whatif", args=[draft.public_id]))
    assert page.context["total"].current == (3400 + 4100) * 12
    assert page.context["total"].draft == (3500 + 4300) * 12
    assert [(b.name, b.workers) for b in page.context["rows"]] == [("婆石社区", 2)]


def _bulk(world, n, ladder):
    post = ladder.posts.get(code="worker")
    Worker.objects.bulk_create(
        Worker(area=world.c1, area_path=world.c1.path, name=f"工作者{i}", birth_date=D(1985, 1, 1), education="college",
               kind="grid", joined_on=D(2018, 1, 1), post=post, grade=3, grade_since=D(2019, 1, 1))
        for i in range(n)
    )  # fmt: skip


def test_list_queries_do_not_grow_with_rows(world, ladder, count_queries):
    u = world.users
    urls = [reverse("workforce:home"), reverse("workforce:hours"), reverse("workforce:reserve")]
    _bulk(world, 3, ladder)
    run, _ = stepup.stepup_run_start(actor=None, district=world.district, year=2024)
    stepup.stepup_run_execute(run.pk)
    run_url = reverse("workforce:run", args=[run.public_id])
    small = [count_queries(u.district_admin, url) for url in [*urls, run_url]]
    _bulk(world, 40, ladder)
    run2, _ = stepup.stepup_run_start(actor=None, district=world.district, year=2025)
    stepup.stepup_run_execute(run2.pk)
    big = [count_queries(u.district_admin, url) for url in [*urls, reverse("workforce:run", args=[run2.public_id])]]
    assert big == small
    assert max(big) <= 12
