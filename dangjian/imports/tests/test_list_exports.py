"""Exports of the coverage blank spots, a community's documents, the registration summary and the
organization transfers: each with the page's filters, in scope, masked, audited, and with the right cells."""

import datetime
import io

from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.people import services as people_services
from dangjian.people.models import Member
from dangjian.registration import services as registration_services
from dangjian.registration.models import CommunityDocument
from dangjian.units.models import ResidentUnit

from .conftest import citizen_id


def sheet(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()]


def exports_of(object_type):
    return AuditEvent.objects.filter(action="export", object_type=object_type)


def member(name, seq, *, org, home, mobile="13912345678", status="in_service"):
    return Member.objects.create(
        name=name, id_number=citizen_id(seq), mobile=mobile, org=org, home_community=home, status=status
    )


# -- the coverage page's blank spots -------------------------------------------------------------------


def blank_units(world):
    c1, enterprise = world.c1, "enterprise"
    ResidentUnit.objects.create(name="婆石甲科技", kind=enterprise, community=c1, staff_count=20, member_count=4)
    ResidentUnit.objects.create(name="婆石乙商贸", kind=enterprise, community=c1, staff_count=5, member_count=1)
    ResidentUnit.objects.create(name="婆石丙公司", kind=enterprise, community=c1, staff_count=9)  # no members
    ResidentUnit.objects.create(
        name="海虹社工站", kind="social_organization", community=world.c3, staff_count=30, credit_code=""
    )


def test_blank_spots_export_the_pages_node_with_reasons(world, login):
    blank_units(world)
    url = reverse("units:coverage_blank_export")
    rows = sheet(login(world.users.district_admin).get(url, {"area": world.district.public_id}))
    assert rows[0] == ["单位", "类型", "统一社会信用代码", "所在社区", "从业人员数", "党员人数", "原因"]
    assert [r[0] for r in rows[1:]] == ["婆石甲科技", "婆石乙商贸", "海虹社工站"]  # most members first
    assert rows[1][1:] == [
        "非公企业",
        None,  # no credit code: an empty cell
        "婆石社区",
        20,
        4,
        "有党员 4 名（≥ 3 名），应单独组建党组织",
    ]
    assert rows[3][6] == "从业人员 30 人的社会组织（≥ 30 人），应实现党组织覆盖"
    # The node of a subdistrict page, and a community worker's own node when none is given.
    s2 = sheet(login(world.users.district_admin).get(url, {"area": world.s2.public_id}))
    assert [r[0] for r in s2[1:]] == ["海虹社工站"]
    own = sheet(login(world.users.community_worker).get(url))
    assert [r[0] for r in own[1:]] == ["婆石甲科技", "婆石乙商贸"]
    event = exports_of("units.blankspot").latest("pk")
    assert event.changes == {"filters": {"area": "婆石社区"}, "rows": 2, "masked": True}
    assert event.area_path == world.c1.path


def test_blank_spots_export_is_scoped(world, login):
    blank_units(world)
    url = reverse("units:coverage_blank_export")
    assert login(world.users.community_worker_outsider).get(url, {"area": world.c1.public_id}).status_code == 404
    assert [r[0] for r in sheet(login(world.users.community_worker_outsider).get(url))[1:]] == ["海虹社工站"]
    for user in (world.users.grid_worker, world.users.member, world.users.unit_contact):
        assert login(user).get(url).status_code == 404
    assert exports_of("units.blankspot").count() == 1  # the refused ones wrote nothing


def test_the_coverage_page_links_its_export(world, login):
    blank_units(world)
    body = login(world.users.subdistrict_admin).get(reverse("units:coverage_area", args=[world.s1.public_id]))
    assert f"{reverse('units:coverage_blank_export')}?area={world.s1.public_id}" in body.content.decode()


# -- a community's documents (文件清单) ---------------------------------------------------------------


def test_documents_export_the_communitys_list_in_scope(world, login):
    day = datetime.date(2026, 3, 1)
    registration_services.document_create(
        actor=None, community=world.c1, title="双报到工作指引", published_on=day, body="在职党员到居住地社区报到。"
    )
    registration_services.document_create(
        actor=None, community=world.c1, title='=HYPERLINK("x")', published_on=day + datetime.timedelta(days=1)
    )
    registration_services.document_create(actor=None, community=world.c3, title="海虹文件", published_on=day)
    url = reverse("registration:documents_export", args=[world.c1.public_id])
    rows = sheet(login(world.users.community_worker).get(url))
    assert rows[0] == ["社区", "标题", "发布日期", "内容", "链接"]
    assert rows[1][:3] == ["婆石社区", '=HYPERLINK("x")', "2026-03-02"]  # text that looks like a formula stays text
    assert rows[2] == ["婆石社区", "双报到工作指引", "2026-03-01", "在职党员到居住地社区报到。", None]
    assert len(rows) == 3
    assert login(world.users.community_worker_outsider).get(url).status_code == 404
    assert login(world.users.member).get(url).status_code == 404
    (event,) = exports_of("registration.communitydocument")
    assert event.changes["filters"] == {"community": "婆石社区"} and event.changes["rows"] == 2
    page = login(world.users.community_worker).get(
        reverse("registration:five_lists", args=[world.c1.public_id]), {"list": "documents"}
    )
    assert url in page.content.decode()
    assert CommunityDocument.objects.count() == 3


# -- the registration summary ---------------------------------------------------------------------------


def test_the_summary_exports_one_row_per_community_and_the_total(world, login):
    done = member("甲", 1, org=world.eb, home=world.c1)
    member("乙", 2, org=world.eb, home=world.c1, mobile="13900000002")
    member("丙", 3, org=world.eb3, home=world.c3, mobile="13900000003")
    reg = registration_services.registration_submit_member(
        actor=None, member=done, community=world.c1, contact_mobile="13912345678"
    )
    registration_services.registration_confirm(actor=world.users.community_worker, registration=reg)
    url = reverse("registration:summary_export")
    rows = sheet(login(world.users.district_admin).get(url, {"area": world.district.public_id}))
    assert rows[0][:6] == ["街道", "社区", "应报到党员", "已报到党员", "应报未报党员", "党员报到率(%)"]
    by_name = {r[1]: r for r in rows[1:]}
    assert list(by_name) == ["婆石社区", "茂盛社区", "海虹社区", "合计"]
    assert by_name["婆石社区"][:7] == ["拱北街道", "婆石社区", 2, 1, 1, 50.0, 0]
    assert by_name["茂盛社区"][2:6] == [0, 0, 0, None]  # nobody due: an empty cell, not 0 %
    assert by_name["海虹社区"][:6] == ["吉大街道", "海虹社区", 1, 0, 1, 0.0]
    assert by_name["合计"][2:6] == [3, 1, 2, 33.3]
    # Counts only: no name, mobile or ID number of anyone is in the sheet.
    flat = " ".join(str(v) for r in rows for v in r if v is not None)
    assert "甲" not in flat.replace("合计", "") and "139" not in flat
    event = exports_of("registration.summary").get()
    assert event.changes["filters"]["area"] == "香洲区" and event.changes["rows"] == 4


def test_the_summary_export_is_scoped_like_the_page(world, login):
    url = reverse("registration:summary_export")
    rows = sheet(login(world.users.subdistrict_admin).get(url))  # no area: the user's own node
    assert [r[1] for r in rows[1:]] == ["婆石社区", "茂盛社区", "合计"]
    assert login(world.users.subdistrict_admin_outsider).get(url, {"area": world.s1.public_id}).status_code == 404
    assert login(world.users.district_admin).get(url, {"area": world.g1a.public_id}).status_code == 404
    assert login(world.users.member).get(url).status_code == 404
    body = login(world.users.subdistrict_admin).get(reverse("registration:summary")).content.decode()
    assert f"{url}?area={world.s1.public_id}" in body


# -- organization transfers -----------------------------------------------------------------------------


def test_transfers_export_with_the_pages_filters_masked_and_audited(world, login):
    wang = member("王建国", 11, org=world.eb, home=world.c1)
    li = member("李四", 12, org=world.eb, home=world.c1, mobile="13900000012")
    worker = world.users.community_worker
    people_services.member_transfer(actor=worker, member=wang, to_org=world.ub, reason="工作调动")
    people_services.member_transfer(actor=None, member=li, to_org=world.eb3, reason="搬迁")
    url = reverse("people:transfer_export")
    rows = sheet(login(worker).get(url, {"org": world.ub.public_id}))
    assert rows[0] == ["时间", "党员姓名", "身份证号", "转出组织", "转入组织", "转接原因", "经办人"]
    assert len(rows) == 2
    row = rows[1]
    assert row[1] == "王建国" and row[3:] == ["中珠新村小区党支部", "口岸中心党支部", "工作调动", "sq1"]
    assert row[2] == citizen_id(11)[:6] + "********" + citizen_id(11)[-4:]  # masked
    assert citizen_id(11) not in str(rows)
    event = exports_of("people.membertransfer").get()
    assert event.changes == {"filters": {"org": "口岸中心党支部"}, "rows": 1, "masked": True}
    # No filter: both moves, 李四's too (his organization is in 海虹 now; 婆石 keeps the move out).
    assert {r[1] for r in sheet(login(worker).get(url))[1:]} == {"王建国", "李四"}
    # 海虹 sees only the move into its organization; 茂盛's worker nothing; a grid worker no export.
    assert [r[1] for r in sheet(login(world.users.community_worker_outsider).get(url))[1:]] == ["李四"]
    assert login(world.users.grid_worker).get(url).status_code == 404
    # Full values only by a deliberate POST, and only for the roles that may see them.
    full = sheet(login(world.users.district_admin).post(url + f"?org={world.ub.public_id}", {"full": "1"}))
    assert full[1][2] == citizen_id(11)
    assert exports_of("people.membertransfer").latest("pk").changes["masked"] is False
    page = login(worker).get(reverse("people:transfer_list"), {"q": "wjg"}).content.decode()
    assert f"{url}?q=wjg" in page
