"""The units exports: the coverage page's blank spots of its node, with reasons, in scope."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.imports.testing import citizen_id
from dangjian.people.models import Member
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
