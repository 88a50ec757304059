"""Every page and every write: scope (owner, colleague in scope, outsider 404), what each shows, the
secretary's 述职 (idempotent), the printed sheet, and bounded query counts on the list pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from dangjian.assessment.models import PanelScore, Score, Sheet, SheetStatus, Source
from dangjian.assessment.services import schemes, sheets
from dangjian.conftest import make_user
from dangjian.territory.services import area_create

pytestmark = pytest.mark.django_db
REPORT = "本年度抓基层党建工作的主要做法、成效、存在问题和下一步打算如下。" * 2
XSS = "<img src=x onerror=window.__xss=1>"


@pytest.fixture
def far(db):
    """A district admin of another district: an outsider to everything here."""
    other = area_create(actor=None, level="district", name="金湾区", parent=None, code="440404")
    return make_user("jw", "district_admin", area=other)


def test_the_scheme_pages_are_scoped(world, cast, scheme, far, assert_scoped):
    u = world.users
    assert_scoped(reverse("assessment:home"), owner=cast.district, colleague=u.subdistrict_admin, outsider=u.resident)
    url = reverse("assessment:scheme", args=[scheme.public_id])
    assert_scoped(url, owner=cast.district, colleague=u.community_worker, outsider=far, expect_text=scheme.title)
    assert_scoped(url, owner=u.subdistrict_admin, outsider=u.grid_worker)
    assert_scoped(reverse("assessment:scheme_new"), owner=cast.district, outsider=u.subdistrict_admin)
    for action in ("open", "recompute", "panel"):
        assert_scoped(
            reverse("assessment:scheme_action", args=[scheme.public_id]) + f"?action={action}",
            owner=None, outsider=far, method="post",
        )  # fmt: skip
    assert_scoped(reverse("assessment:item_add", args=[scheme.public_id]), owner=None, outsider=far, method="post")


def test_the_sheet_pages_are_scoped(world, cast, sheet, far, assert_scoped):
    u = world.users
    sheets.report_submit(actor=cast.secretary, sheet=sheet, text=REPORT)
    file = sheet.files.create(file="assessment/x.pdf", name="x.pdf")
    for name in ("sheet", "sheet_pdf"):
        url = reverse(f"assessment:{name}", args=[sheet.public_id])
        assert_scoped(url, owner=cast.district, colleague=u.subdistrict_admin, outsider=u.subdistrict_admin_outsider)
        assert_scoped(url, owner=cast.secretary, colleague=u.community_worker, outsider=cast.outsider_secretary)
        assert_scoped(url, owner=None, outsider=far)
    assert_scoped(reverse("assessment:report_file", args=[sheet.public_id, file.pk]), owner=None, outsider=far)
    for name in ("sheet_score", "sheet_panel", "sheet_recompute", "sheet_step"):
        url = reverse(f"assessment:{name}", args=[sheet.public_id])
        for outsider in (far, u.subdistrict_admin_outsider, cast.outsider_secretary):
            assert_scoped(url, owner=None, outsider=outsider, method="post")
    url = reverse("assessment:report", args=[sheet.public_id])
    assert_scoped(url, owner=cast.secretary, outsider=cast.branch_secretary)
    assert_scoped(url, owner=None, outsider=cast.district)  # the district reads the sheet, not the 述职 form


def test_a_secretary_submits_the_report_once_from_the_phone(world, cast, sheet, login):
    client = login(cast.secretary)
    mine = client.get(reverse("assessment:mine")).content.decode()
    assert "婆石社区大党委" in mine and "海虹社区党委" not in mine
    url = reverse("assessment:report", args=[sheet.public_id])
    page = client.get(url).content.decode()
    assert 'data-testid="report-form"' in page
    data = {"text": REPORT + XSS, "version": sheet.version, "idempotency_key": "report-key-1"}
    assert client.post(url, data).status_code == 302
    replay = client.post(url, data, follow=True)
    assert "这次提交已处理，未重复提交。" in replay.content.decode()
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.REPORTED and sheet.log.filter(step="report").count() == 1
    page = client.get(url).content.decode()
    assert XSS not in page and "&lt;img src=x" in page


def test_the_district_and_the_panel_score_on_the_sheet_page(world, cast, sheet, login):
    sheets.report_submit(actor=cast.secretary, sheet=sheet, text=REPORT)
    client = login(cast.district)
    url = reverse("assessment:sheet", args=[sheet.public_id])
    manual = Score.objects.get(sheet=sheet, item__source=Source.MANUAL)
    client.post(reverse("assessment:sheet_recompute", args=[sheet.public_id]))
    client.post(
        reverse("assessment:sheet_score", args=[sheet.public_id]),
        {"item": manual.item_id, "points": "9", "note": "阵地规范" + XSS},
    )
    client.post(reverse("assessment:sheet_panel", args=[sheet.public_id]), {"points": "88", "note": ""})
    page = client.get(url).content.decode()
    assert "评议组 1 人打分，平均 88.0 分" in page and "辖区支部组织生活应开" in page
    assert XSS not in page
    assert PanelScore.objects.get(sheet=sheet).points == Decimal("88.0")
    client.post(reverse("assessment:sheet_step", args=[sheet.public_id]), {"step": "confirm", "version": 0})
    assert Sheet.objects.get(pk=sheet.pk).status == SheetStatus.SCORED
    login(cast.secretary).post(reverse("assessment:sheet_step", args=[sheet.public_id]), {"step": "publish"})
    assert Sheet.objects.get(pk=sheet.pk).status == SheetStatus.SCORED  # the secretary cannot publish
    client = login(cast.district)
    client.post(reverse("assessment:sheet_step", args=[sheet.public_id]), {"step": "publish"})
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.PUBLISHED and sheet.rank == 1
    assert client.get(reverse("assessment:sheet_pdf", args=[sheet.public_id])).status_code == 200


def test_the_scheme_page_costs_the_same_for_more_sheets(world, cast, scheme, count_queries):
    url = reverse("assessment:scheme", args=[scheme.public_id])
    few = count_queries(cast.district, url)
    from dangjian.orgs.services import org_create

    for n in range(40):
        org_create(actor=None, org_type="branch", name=f"测试支部{n}", parent=world.cc1, area=world.c1)
    model = schemes.scheme_create(actor=cast.district, district=world.district, year=scheme.year, kind="model_branch")
    schemes.sheets_open(actor=cast.district, scheme=model)
    url_model = reverse("assessment:scheme", args=[model.public_id])
    assert count_queries(cast.district, url_model) <= few + 1
    assert count_queries(cast.district, url_model + "?page=2") <= few + 1
    assert count_queries(cast.district, reverse("assessment:home")) <= 12
    sheet = model.sheets.first()
    assert count_queries(cast.district, reverse("assessment:sheet", args=[sheet.public_id])) <= 20
