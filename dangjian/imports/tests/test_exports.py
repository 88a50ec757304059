"""Exports: scope, masking, filters, audit, bounded queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.core.testing import formula_cells
from dangjian.imports.testing import body, citizen_id, read_xlsx
from dangjian.people.models import Household, Member, Resident
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


def test_an_export_holds_only_what_the_user_sees(world, login):
    people(world)
    u = world.users
    mine = read_xlsx(body(login(u.community_worker).get(reverse("imports:export_members"))))
    theirs = read_xlsx(body(login(u.community_worker_outsider).get(reverse("imports:export_members"))))
    assert mine[0][:5] == ("姓名", "性别", "出生日期", "身份证号", "手机号")
    assert {r[0] for r in mine[1:]} == {"婆石党员", "预备党员甲"}
    assert {r[0] for r in theirs[1:]} == {"海虹党员"}
    residents = read_xlsx(body(login(u.community_worker).get(reverse("imports:export_residents"))))
    assert [r[4] for r in residents[1:]] == ["婆石居民"] and residents[1][6] == "退役军人"
    outsider_residents = read_xlsx(body(login(u.community_worker_outsider).get(reverse("imports:export_residents"))))
    assert [r[4] for r in outsider_residents[1:]] == ["海虹居民"]
    units = read_xlsx(body(login(u.subdistrict_admin).get(reverse("imports:export_units"))))
    assert [r[0] for r in units[1:]] == ["拱北口岸中心"]
    units = read_xlsx(body(login(u.subdistrict_admin_outsider).get(reverse("imports:export_units"))))
    assert [r[0] for r in units[1:]] == ["海虹单位"]


def test_names_that_look_like_formulas_are_exported_as_text(world, login):
    names = ['=HYPERLINK("http://example.com","点我")', "+1+1", "-2+3", "@SUM(1)"]
    for seq, name in enumerate(names, start=1):
        Member.objects.create(name=name, id_number=citizen_id(seq), org=world.eb, home_community=world.c1)
    content = body(login(world.users.community_worker).get(reverse("imports:export_members")))
    assert formula_cells(content) == []
    assert sorted(r[0] for r in read_xlsx(content)[1:]) == sorted(names)


def test_exports_honour_the_list_filters_and_record_them(world, login):
    people(world)
    u = world.users
    url = reverse("imports:export_members")
    rows = read_xlsx(body(login(u.district_admin).get(url, {"category": "probationary"})))
    assert [r[0] for r in rows[1:]] == ["预备党员甲"]
    Member.objects.filter(name="海虹党员").update(home_community=world.c3)
    rows = read_xlsx(body(login(u.district_admin).get(url, {"community": str(world.c3.public_id)})))
    assert [r[0] for r in rows[1:]] == ["海虹党员"]
    Member.objects.filter(name="海虹党员").update(status="moved_out")
    assert len(read_xlsx(body(login(u.district_admin).get(url)))) == 3  # as the list: members on the books
    assert len(read_xlsx(body(login(u.district_admin).get(url, {"status": "all"})))) == 4
    rows = read_xlsx(body(login(u.district_admin).get(url, {"org": str(world.cc1.public_id), "q": "婆石"})))
    assert [r[0] for r in rows[1:]] == ["婆石党员"]
    event = AuditEvent.objects.filter(action="export").latest("pk")
    assert event.changes["filters"] == {"org": str(world.cc1.public_id), "q": "婆石"} and event.changes["rows"] == 1
    # A filter naming something out of scope is answered like anything missing.
    assert login(u.community_worker).get(url, {"community": str(world.c3.public_id)}).status_code == 404
    rows = read_xlsx(body(login(u.district_admin).get(reverse("imports:export_residents"), {"tag": "veteran"})))
    assert [r[4] for r in rows[1:]] == ["婆石居民"]
    rows = read_xlsx(body(login(u.district_admin).get(reverse("imports:export_residents"), {"q": "中珠"})))
    assert [r[4] for r in rows[1:]] == ["婆石居民"]
    rows = read_xlsx(body(login(u.district_admin).get(reverse("imports:export_units"), {"kind": "school"})))
    assert [r[0] for r in rows[1:]] == ["海虹单位"] and rows[1][7] == "未组建"


def test_export_roles_are_those_of_the_list_pages(world, login):
    u = world.users
    for name, grid_worker in (
        ("export_members", 404),
        ("export_residents", 200),
        ("export_units", 404),
        ("export_territory", 200),
    ):
        url = reverse(f"imports:{name}")
        for user in (u.district_admin, u.subdistrict_admin, u.community_worker):
            assert login(user).get(url).status_code == 200, (name, user.username)
        assert login(u.grid_worker).get(url).status_code == grid_worker, name
        for user in (u.member, u.resident, u.unit_contact, u.department_staff, u.nobody):
            assert login(user).get(url).status_code == 404, (name, user.username)
    url = reverse("imports:export_audit")
    assert login(u.district_admin).get(url).status_code == 200
    for user in (u.subdistrict_admin, u.community_worker, u.member):
        assert login(user).get(url).status_code == 404


def test_the_audit_export_uses_the_audit_pages_filters(world, login):
    people(world)
    login(world.users.community_worker).get(reverse("imports:export_members"))
    rows = read_xlsx(body(login(world.users.district_admin).get(reverse("imports:export_audit"), {"action": "export"})))
    assert rows[0][:4] == ("时间", "操作人", "角色", "操作")
    assert [r[1] for r in rows[1:]] == ["sq1"] and rows[1][3] == "导出"


def test_the_territory_export_counts_what_lies_under_each_node(world, login):
    people(world)
    rows = read_xlsx(body(login(world.users.subdistrict_admin).get(reverse("imports:export_territory"))))
    header = rows[0]
    by_name = {r[1]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(by_name) == {"拱北街道", "婆石社区", "茂盛社区", "婆石第一网格", "婆石第二网格", "茂盛第一网格"}
    assert by_name["婆石社区"]["上级"] == "香洲区/拱北街道"
    street, c1 = by_name["拱北街道"], by_name["婆石社区"]
    assert (c1["网格数"], c1["小区数"], c1["楼栋数"], c1["住户数"], c1["居民数"]) == (2, 1, 1, 1, 1)
    assert (c1["党组织数"], c1["党员数"], c1["驻区单位数"]) == (5, 2, 1)
    assert (street["网格数"], street["党组织数"], street["党员数"]) == (3, 6, 2)


def test_export_queries_do_not_grow_with_rows(world, login):
    people(world)
    client = login(world.users.district_admin)
    url = reverse("imports:export_members")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            body(client.get(url))
        return len(ctx.captured_queries)

    few = queries()
    for k in range(30):
        Member.objects.create(name=f"新党员{k}", id_number=citizen_id(100 + k), org=world.eb, home_community=world.c1)
    assert queries() == few
