"""/api/v1/assessment: what the pages show (scores with their explanations, 我的述职), the panel member's and
the street chief's scores through the same services (409 on a stale version, 422 out of range), and the
scope (404 outside it; the rows of dangjian/api/tests/test_scope.py cover every endpoint)."""

import json
from decimal import Decimal

import pytest

from dangjian.api.services import token_issue
from dangjian.assessment.models import ChiefScore, PanelScore
from dangjian.assessment.services import sheets

pytestmark = pytest.mark.django_db
REPORT = "本年度抓基层党建工作的主要做法、成效、存在问题和下一步打算如下。" * 2


@pytest.fixture
def call(client):
    def make(user):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(actor=user, role=None, name='测试')[1]}"}

        def get(path):
            return client.get(f"/api/v1{path}", **headers)

        def post(path, data):
            return client.post(f"/api/v1{path}", json.dumps(data), content_type="application/json", **headers)

        return get, post

    return make


def test_a_sheet_reads_with_its_scores_and_their_sources(world, cast, scheme, sheet, call):
    sheets.sheet_recompute(actor=cast.district, sheet=sheet)
    get, _post = call(cast.district)
    data = get(f"/assessment/sheets/{sheet.public_id}").json()
    assert data["subject"] == {"kind": "org", "id": str(world.cc1.public_id), "name": "婆石社区大党委"}
    autos = [s for s in data["scores"] if s["source"] == "auto"]
    assert autos and all("→" in s["explanation"] for s in autos)
    listed = get(f"/assessment/schemes/{scheme.public_id}/sheets").json()
    assert str(sheet.public_id) in {s["id"] for s in listed["items"]} and listed["count"] == scheme.sheets.count()
    detail = get(f"/assessment/schemes/{scheme.public_id}").json()
    assert len(detail["items"]) == scheme.items.count()
    mine, _ = call(cast.secretary)
    assert [s["id"] for s in mine("/assessment/my-sheets").json()["items"]] == [str(sheet.public_id)]
    assert mine(f"/assessment/sheets/{sheet.public_id}").status_code == 200
    outsider, _ = call(cast.outsider_secretary)
    assert outsider(f"/assessment/sheets/{sheet.public_id}").status_code == 404


def test_a_panel_member_scores_with_the_version_read(world, cast, sheet, call):
    sheets.report_submit(actor=cast.secretary, sheet=sheet, text=REPORT)
    sheet.refresh_from_db()
    _get, post = call(cast.panelist)
    url = f"/assessment/sheets/{sheet.public_id}/panel-score"
    answer = post(url, {"points": 87, "note": "扎实", "version": sheet.version})
    assert answer.status_code == 200, answer.content
    assert Decimal(str(answer.json()["panel"][0]["points"])) == Decimal("87")
    assert PanelScore.objects.get(sheet=sheet, member=cast.panelist).points == Decimal("87.0")
    stale = post(url, {"points": 90, "version": sheet.version - 1})
    assert stale.status_code == 409 and stale.json()["error"]["code"]
    assert post(url, {"points": 120, "version": sheet.version}).status_code == 422
    _g, not_panel = call(world.users.subdistrict_admin)  # reads the sheet, is not on the panel
    assert not_panel(url, {"points": 60, "version": sheet.version}).status_code == 422


def test_a_street_chief_scores_a_department_through_the_api(world, cast, dept_sheet, call):
    _get, post = call(world.users.subdistrict_admin)
    url = f"/assessment/sheets/{dept_sheet.public_id}/chief-score"
    answer = post(url, {"points": 82, "note": "协同有力", "version": dept_sheet.version})
    assert answer.status_code == 200, answer.content
    chief = next(s for s in answer.json()["scores"] if s["source"] == "chief")
    assert chief["explanation"] == "街长 1 人评分，平均 82.0 分（满分 100）→ 24.6 分"
    assert ChiefScore.objects.filter(sheet=dept_sheet).count() == 1
    get, _ = call(world.users.department_staff)
    assert get(f"/assessment/sheets/{dept_sheet.public_id}").status_code == 404  # not yet published
