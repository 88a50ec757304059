"""Exports of the coverage blank spots, a community's documents, the registration summary and the
organization transfers: each with the page's filters, in scope, masked, audited, and with the right cells."""

import datetime
import io

from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.imports.testing import citizen_id
from dangjian.people.models import Member
from dangjian.registration import services as registration_services
from dangjian.registration.models import CommunityDocument
from dangjian.units.models import ResidentUnit


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
