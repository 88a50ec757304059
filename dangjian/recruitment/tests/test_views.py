"""Every page: scoped (owner, colleague, outsider 404), the board by stage with its counts and a
bounded number of queries, the steps through the page, the PDF, the export masked, the figures."""

import datetime

from django.urls import reverse

from dangjian.recruitment.models import Document, Recruit, Stage
from dangjian.recruitment.views import detail, document_add, new

from .conftest import walk

REPLAYED = "这次提交已处理，未重复提交。"


def test_the_board_and_the_file_are_scoped(world, cast, apply, assert_scoped):
    r = apply()
    u = world.users
    board = reverse("recruitment:board") + "?stage=applicant"
    assert_scoped(board, owner=cast.secretary, colleague=u.community_worker, outsider=u.resident)
    url = reverse("recruitment:detail", args=[r.public_id])
    assert_scoped(url, owner=cast.secretary, colleague=u.subdistrict_admin, outsider=cast.other, expect_text="李青")
    assert_scoped(url, owner=cast.applicant, colleague=u.community_worker, outsider=u.community_worker_outsider)
    pdf = reverse("recruitment:record_pdf", args=[r.public_id])
    assert_scoped(pdf, owner=u.community_worker, colleague=cast.secretary, outsider=u.subdistrict_admin_outsider)
    figures = reverse("recruitment:figures") + f"?node={world.s1.public_id}"
    assert_scoped(figures, owner=u.subdistrict_admin, colleague=u.district_admin, outsider=u.subdistrict_admin_outsider)


def test_another_branchs_officer_sees_none_of_this_pipeline(world, cast, apply, login):
    apply()
    page = login(cast.other).get(reverse("recruitment:board")).content.decode()
    assert "李青" not in page and "这一阶段暂无人员" in page


def test_the_board_shows_each_stage_with_its_count_and_due_date(world, cast, apply, login):
    walk(apply(name="甲"), Stage.ACTIVIST, cast)
    apply(name="乙", birth_date=datetime.date(1999, 1, 1), user=None)
    client = login(cast.secretary)
    page = client.get(reverse("recruitment:board") + "?stage=activist").content.decode()
    assert "甲" in page and "乙" not in page and "最早可确定为发展对象" in page
    assert 'data-testid="tab-activist">入党积极分子 1<' in page.replace("\n", "")


def test_the_board_costs_the_same_for_many(world, cast, apply, count_queries):
    apply(name="一")
    url = reverse("recruitment:board") + "?stage=applicant"
    few = count_queries(cast.secretary, url)
    for i in range(25):
        apply(name=f"申请人{i}", user=None)
    assert count_queries(cast.secretary, url) == few
    assert few <= 12


def test_the_file_costs_a_bounded_number_of_queries(world, cast, apply, count_queries):
    r = walk(apply(), Stage.PLANNED, cast)
    assert count_queries(world.users.community_worker, reverse("recruitment:detail", args=[r.public_id])) <= 22


def test_a_secretary_registers_an_application_once(world, cast, login):
    client = login(cast.secretary)
    url = reverse("recruitment:new")
    assert 'name="idempotency_key"' in client.get(url).content.decode()
    data = {
        "org": world.eb.pk,
        "name": "王敏",
        "birth_date": "1998-05-04",
        "applied_on": datetime.date.today().isoformat(),
        "idempotency_key": "recruit-1",
    }
    first = client.post(url, data)
    retry = client.post(url, data)
    assert first["Location"] == retry["Location"] and retry["Idempotent-Replayed"] == "true"
    assert Recruit.objects.filter(name="王敏").count() == 1
    assert REPLAYED in client.get(retry["Location"]).content.decode()


def test_the_phone_writes_are_idempotent():
    for view in (new, document_add):
        assert getattr(view, "idempotent", False) is True, view.__name__
    assert getattr(detail, "idempotent", False) is False


def test_a_step_through_the_page_and_a_refusal_names_the_earliest_day(world, cast, apply, login):
    r = apply()
    client = login(cast.secretary)
    act = reverse("recruitment:act", args=[r.public_id, "talk"])
    early = (r.applied_on - datetime.timedelta(days=1)).isoformat()
    page = client.post(act, {"talk-on": early, "talk-version": r.version}, follow=True).content.decode()
    assert f"最早可在 {r.applied_on.isoformat()} 办理" in page
    client.post(act, {"talk-on": r.applied_on.isoformat(), "talk-version": r.version})
    r.refresh_from_db()
    assert r.talked_on == r.applied_on
    stale = client.post(act, {"talk-on": r.applied_on.isoformat(), "talk-version": 1}, follow=True).content.decode()
    assert "请刷新后再操作" in stale


def test_the_committee_cancels_a_probationary_membership_from_the_page(world, cast, apply, login):
    r = walk(apply(), Stage.PROBATIONARY, cast)
    url = reverse("recruitment:detail", args=[r.public_id])
    assert 'data-testid="step-disqualify"' not in login(cast.secretary).get(url).content.decode()
    client = login(world.users.subdistrict_admin)
    page = client.get(url).content.decode()
    assert 'data-testid="step-disqualify"' in page and 'name="disqualify-votes_for"' in page
    act = reverse("recruitment:act", args=[r.public_id, "disqualify"])
    on = (r.approved_on + datetime.timedelta(days=30)).isoformat()
    data = {"disqualify-on": on, "disqualify-version": r.version, "disqualify-note": ""}
    votes = {"disqualify-due": 9, "disqualify-present": 8, "disqualify-votes_for": 6, "disqualify-against": 2}
    assert "请填写取消资格的理由" in client.post(act, {**data, **votes}, follow=True).content.decode()
    client.post(act, {**data, **votes, "disqualify-note": "长期不履行党员义务", "disqualify-abstain": 0})
    r.refresh_from_db()
    r.member.refresh_from_db()
    assert r.status == Stage.ENDED and r.member.get_status_display() == "已出党"


def test_documents_are_filed(world, cast, apply, login):
    r = apply()
    client = login(cast.secretary)
    url = reverse("recruitment:document_add", args=[r.public_id])
    client.post(
        url,
        {
            "kind": "application",
            "title": "入党申请书",
            "dated": r.applied_on.isoformat(),
            "idempotency_key": "document-1",
        },
    )
    assert Document.objects.filter(recruit=r).count() == 1
    assert "入党申请书" in client.get(reverse("recruitment:detail", args=[r.public_id])).content.decode()


def test_the_export_masks_personal_data(world, cast, apply, login):
    apply(id_number="440402199001011236", birth_date=None, mobile="13800138000")
    client = login(world.users.community_worker)
    response = client.get(reverse("imports:export_recruitment_pipeline"))
    assert response.status_code == 200
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "13800138000" not in values and "440402199001011236" not in values


def test_the_figures_page_counts_from_the_store(world, cast, apply, login):
    walk(apply(name="甲"), Stage.CANDIDATE, cast)
    apply(name="乙", user=None)
    page = login(world.users.subdistrict_admin).get(reverse("recruitment:figures")).content.decode()
    assert "婆石社区" in page and "发展对象" in page and "各阶段平均用时" in page
