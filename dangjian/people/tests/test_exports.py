"""The people exports: members and residents masked unless asked for, floating and pocket members,
organization transfers with the page's filters."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.core.validators import mask_citizen_id
from dangjian.imports.testing import body, citizen_id, read_xlsx
from dangjian.people.models import Household, Member, Resident
from dangjian.people.services import members as members_services
from dangjian.units.models import ResidentUnit


def people(world):
    Member.objects.create(
        name="婆石党员", id_number=citizen_id(1), mobile="13912345678", org=world.eb, home_community=world.c1
    )
    Member.objects.create(name="海虹党员", id_number=citizen_id(2), mobile="13812345678", org=world.eb3)
    Member.objects.create(name="预备党员甲", id_number=citizen_id(3), category="probationary", org=world.ub)
    h1 = Household.objects.create(building=world.building, room="101")
    Resident.objects.create(household=h1, name="婆石居民", mobile="13700001111", tags=["veteran"])
    from dangjian.territory import services as territory_services

    b3 = territory_services.building_save(actor=None, community=world.c3, estate=world.estate3, name="8栋")
    Resident.objects.create(household=Household.objects.create(building=b3, room="801"), name="海虹居民")
    ResidentUnit.objects.create(name="海虹单位", kind="school", community=world.c3)


def test_personal_data_is_masked_unless_full_values_are_asked_for_by_a_role_that_may(world, login):
    people(world)
    u = world.users
    url = reverse("imports:export_members")
    masked = read_xlsx(body(login(u.community_worker).get(url, {"full": "1"})))  # GET: always masked
    row = next(r for r in masked if r[0] == "婆石党员")
    assert row[3] == mask_citizen_id(citizen_id(1)) and row[4] == "139****5678"
    full = read_xlsx(body(login(u.community_worker).post(url, {"full": "1"})))
    row = next(r for r in full if r[0] == "婆石党员")
    assert row[3] == citizen_id(1) and row[4] == "13912345678"
    events = AuditEvent.objects.filter(action="export", object_type="people.member").order_by("pk")
    assert [e.changes["masked"] for e in events] == [True, False]
    assert events[1].changes["rows"] == 2 and events[1].actor == u.community_worker
    assert events[1].area_path == world.c1.path
    # A grid worker's export stays masked even when asked.
    assert login(u.grid_worker).post(url, {"full": "1"}).status_code == 404  # no member list for them
    Resident.objects.update(mobile="13700001111")
    world.building.grid = world.g1a
    world.building.save(update_fields=["grid"])
    grid = read_xlsx(body(login(u.grid_worker).post(reverse("imports:export_residents"), {"full": "1"})))
    assert grid[1][5] == "137****1111"
    assert AuditEvent.objects.filter(object_type="people.resident").get().changes["masked"] is True


def rows_of(response):
    assert response.status_code == 200, response.status_code
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()][1:]


def member(name, seq, *, org, home, status="in_service", mobile="13912345678"):
    return Member.objects.create(
        name=name, id_number=citizen_id(seq), mobile=mobile, org=org, home_community=home, status=status
    )


def test_floating_and_pocket_members_export_masked_in_scope(world, login):
    member("流动甲", 1, org=world.eb, home=world.c1, status="floating")
    member("口袋乙", 2, org=world.eb3, home=world.c3, status="pocket")
    member("在职丙", 3, org=world.eb, home=world.c1)
    url = reverse("imports:export_floating")
    rows = rows_of(login(world.users.community_worker).get(url))
    assert [r[0] for r in rows] == ["流动甲"]
    assert "139****5678" in rows[0] and "13912345678" not in rows[0]
    assert [r[0] for r in rows_of(login(world.users.district_admin).get(url, {"org": world.wc2.public_id}))] == [
        "口袋乙"
    ]
    assert login(world.users.community_worker).get(url, {"org": world.wc2.public_id}).status_code == 404
    assert login(world.users.resident).get(url).status_code == 404
    assert AuditEvent.objects.filter(action="export", object_type="people.member").count() == 2


def sheet(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()]


def exports_of(object_type):
    return AuditEvent.objects.filter(action="export", object_type=object_type)


def test_transfers_export_with_the_pages_filters_masked_and_audited(world, login):
    wang = member("王建国", 11, org=world.eb, home=world.c1)
    li = member("李四", 12, org=world.eb, home=world.c1, mobile="13900000012")
    worker = world.users.community_worker
    members_services.member_transfer(actor=worker, member=wang, to_org=world.ub, reason="工作调动")
    members_services.member_transfer(actor=None, member=li, to_org=world.eb3, reason="搬迁")
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
