"""Excel exports of the case list and of the figures table: scope, filters, masking, audit row."""

import io

import pytest
from django.urls import reverse
from django.utils.http import urlencode
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent

from .figures.test_selectors import MARCH, build_march

MARCH_PARAMS = {"date_from": MARCH[0].isoformat(), "date_to": MARCH[1].isoformat()}


@pytest.fixture
def march(world):
    return build_march(world)


def rows_of(response):
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def url(name="cases:export", **params):
    return f"{reverse(name)}?{urlencode(params)}"


def test_the_case_list_export_masks_phones_and_writes_an_audit_row(march, login):
    w = march.world
    march.one.reporter_name, march.one.reporter_phone = "张阿姨", "13812345678"
    march.one.save(update_fields=["reporter_name", "reporter_phone"])
    rows = rows_of(login(w.users.community_worker).get(url(**MARCH_PARAMS)))
    header = rows[0]
    assert header[:5] == ["编号", "受理时间", "来源", "类别", "状态"]
    assert {r[header.index("网格")] for r in rows[1:]} == {"婆石第一网格", "婆石第二网格"}
    # Cases 1-4 of 婆石社区 in March and the one merged into case 2, as the list shows them
    # (February's last minute and April's first left out).
    assert len(rows) - 1 == 5
    line = next(r for r in rows[1:] if r[0] == march.one.number)
    assert line[header.index("联系电话")] == "138****5678"
    assert not any("13812345678" in str(v) for r in rows for v in r)
    event = AuditEvent.objects.get(action="export", object_type="cases.case")
    assert event.changes["rows"] == 5 and event.changes["masked"] is True
    assert event.changes["filters"] == {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    assert event.actor == w.users.community_worker


def test_the_case_list_export_takes_the_list_filters(march, login):
    w = march.world
    client = login(w.users.district_admin)
    rows = rows_of(client.get(url(status="archived", **MARCH_PARAMS)))
    assert sorted(r[0] for r in rows[1:]) == sorted([march.one.number, march.eight.number])
    rows = rows_of(client.get(url(area=w.s2.public_id, **MARCH_PARAMS)))
    assert sorted(r[0] for r in rows[1:]) == sorted([march.seven.number, march.eight.number])
    rows = rows_of(client.get(url(department=w.dept2.public_id, **MARCH_PARAMS)))
    assert sorted(r[0] for r in rows[1:]) == sorted([march.two.number, march.three.number, march.five.number])
    rows = rows_of(client.get(url(q=march.three.number)))
    assert [r[0] for r in rows[1:]] == [march.three.number]
    rows = rows_of(client.get(url(overdue="1", **MARCH_PARAMS)))
    assert march.three.number in [r[0] for r in rows[1:]]  # open and past its deadline
    assert march.one.number not in [r[0] for r in rows[1:]]
    event = AuditEvent.objects.filter(action="export", object_type="cases.case").order_by("pk")[1]
    assert event.changes["filters"]["area"] == "吉大街道"


def test_the_case_list_export_is_scoped(march, login):
    w = march.world
    rows = rows_of(login(w.users.community_worker_outsider).get(url(**MARCH_PARAMS)))
    assert {r[0] for r in rows[1:]} == {march.seven.number, march.eight.number}  # 海虹社区's own
    assert login(w.users.community_worker_outsider).get(url(area=w.c1.public_id)).status_code == 404
    rows = rows_of(login(w.users.department_staff).get(url(**MARCH_PARAMS)))
    assert sorted(r[0] for r in rows[1:]) == sorted(
        [march.one.number, march.two.number, march.four.number, march.eight.number]
    )
    assert login(w.users.resident).get(url()).status_code == 404
    assert login(w.users.grid_worker).get(url()).status_code == 404


def test_the_figures_export_has_the_children_the_departments_and_the_total(march, login):
    w = march.world
    params = {"node": w.s1.public_id, "period": "custom", "from": "2026-03-01", "to": "2026-03-31"}
    rows = rows_of(login(w.users.subdistrict_admin).get(url("cases:figures_export", **params)))
    assert rows[0][:4] == ["分组", "名称", "受理", "派单"]
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["婆石社区"][2] == 4 and by_name["茂盛社区"][2] == 2
    assert by_name["拱北街道"][0] == "合计" and by_name["拱北街道"][2] == 6
    assert by_name["香洲区城管局"][0] == "部门"
    assert by_name["茂盛社区"][10] == "—"  # no rating yet: no rate
    event = AuditEvent.objects.get(action="export", object_type="cases.figures")
    assert event.changes["filters"] == {"node": "拱北街道", "period": "2026-03-01 — 2026-03-31"}
    assert event.area_path == w.s1.path
    outsider = login(w.users.subdistrict_admin_outsider)
    assert outsider.get(url("cases:figures_export", **params)).status_code == 404


def test_the_list_page_links_its_export_with_the_same_filters(march, login):
    w = march.world
    client = login(w.users.community_worker)
    page = client.get(url("cases:list", **MARCH_PARAMS)).content.decode()
    href = page.split('data-testid="export"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert href.startswith(reverse("cases:export")) and "date_from=2026-03-01" in href
    rows = rows_of(client.get(href))
    assert len(rows) - 1 == 5
