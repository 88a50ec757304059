import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.core.validators import credit_code_check_char
from dangjian.orgs import services as org_services
from dangjian.units import services
from dangjian.units.models import AdjunctMember, AllianceMembership, CoverageRule, ResidentUnit

# Roles that never reach these pages.
OUTSIDE_ROLES = ["grid_worker", "member", "resident", "department_staff", "nobody"]


@pytest.fixture
def seat(world):
    return services.adjunct_add(actor=None, committee=world.cc1, unit=world.unit, name="陈主任", post="主任")


@pytest.fixture
def alliance(world):
    alliance = services.alliance_create(actor=None, name="拱北区域党建联盟", area=world.s1, lead_org=world.wc1)
    services.alliance_add_unit(actor=None, alliance=alliance, unit=world.unit, covenant="开放场地")
    return alliance


@pytest.fixture
def community_alliance(world):
    return services.alliance_create(actor=None, name="婆石共建联盟", area=world.c1, lead_org=world.cc1)


def assert_gated(client, url, users, names):
    for name in names:
        client.force_login(getattr(users, name))
        assert client.get(url).status_code == 404, (url, name)
        client.logout()


# -- scope matrix ------------------------------------------------------------------------------------
def test_unit_pages_are_scoped(world, assert_scoped, client):
    u = world.users
    for name in ("detail", "edit", "formation"):
        url = reverse(f"units:{name}", args=[world.unit.public_id])
        assert_scoped(
            url, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider
        )
        assert_scoped(
            url, owner=u.district_admin, colleague=u.community_worker_colleague, outsider=u.subdistrict_admin_outsider
        )
        assert_gated(client, url, u, OUTSIDE_ROLES)
    for name in ("list", "create"):
        assert_gated(client, reverse(f"units:{name}"), u, OUTSIDE_ROLES)


def test_a_unit_contact_sees_their_own_unit_only(world, login):
    client = login(world.users.unit_contact)
    own = reverse("units:detail", args=[world.unit.public_id])
    response = client.get(reverse("units:list"))
    assert response.status_code == 302 and response["Location"] == own
    body = client.get(own).content.decode()
    assert "拱北口岸中心" in body and "修改信息" not in body and "组建与覆盖" not in body
    other = ResidentUnit.objects.create(name="婆石小店", kind="enterprise", community=world.c1)
    assert client.get(reverse("units:detail", args=[other.public_id])).status_code == 404
    for name in ("edit", "formation"):
        assert client.get(reverse(f"units:{name}", args=[world.unit.public_id])).status_code == 404
    for name in ("create", "coverage", "committee_list", "alliance_list"):
        assert client.get(reverse(f"units:{name}")).status_code == 404


def test_the_unit_list_shows_only_units_in_scope(world, login):
    ResidentUnit.objects.create(name="海虹小店", kind="enterprise", community=world.c3)
    body = login(world.users.community_worker).get(reverse("units:list")).content.decode()
    assert "拱北口岸中心" in body and "海虹小店" not in body
    body = login(world.users.community_worker_outsider).get(reverse("units:list")).content.decode()
    assert "海虹小店" in body and "拱北口岸中心" not in body
    # A community outside the scope as a filter is as unknown as a missing one.
    response = login(world.users.community_worker).get(reverse("units:list"), {"community": world.c3.public_id})
    assert response.status_code == 404


def test_coverage_pages_are_scoped(world, assert_scoped, client):
    u = world.users
    c1 = reverse("units:coverage_area", args=[world.c1.public_id])
    assert_scoped(c1, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider)
    s1 = reverse("units:coverage_area", args=[world.s1.public_id])
    assert_scoped(s1, owner=u.subdistrict_admin, colleague=u.district_admin, outsider=u.subdistrict_admin_outsider)
    district = reverse("units:coverage_area", args=[world.district.public_id])
    assert_scoped(district, owner=u.district_admin, outsider=u.subdistrict_admin)
    org = reverse("units:coverage_org", args=[world.cc1.public_id])
    assert_scoped(org, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider)
    grid = reverse("units:coverage_area", args=[world.g1a.public_id])
    assert_scoped(grid, owner=None, outsider=u.district_admin)  # no coverage page for a grid
    for url in (c1, org, reverse("units:coverage")):
        assert_gated(client, url, u, [*OUTSIDE_ROLES, "unit_contact"])


def test_the_coverage_home_opens_the_users_own_node(world, login):
    for user, area in (
        (world.users.district_admin, world.district),
        (world.users.subdistrict_admin, world.s1),
        (world.users.community_worker, world.c1),
    ):
        response = login(user).get(reverse("units:coverage"))
        assert response["Location"] == reverse("units:coverage_area", args=[area.public_id])


def test_only_a_district_admin_edits_the_rule(world, login, assert_scoped, client):
    url = reverse("units:coverage_rule")
    assert_scoped(url, owner=world.users.district_admin, outsider=world.users.subdistrict_admin)
    assert_gated(client, url, world.users, ["community_worker", "unit_contact", *OUTSIDE_ROLES])
    client = login(world.users.district_admin)
    response = client.post(url, {"min_members_for_single": "0", "min_staff_social_org": "30"})
    assert "确保该值大于或等于1" in response.content.decode()
    response = client.post(url, {"min_members_for_single": "4", "min_staff_social_org": "40"})
    assert response.status_code == 302
    assert CoverageRule.objects.get(district=world.district).min_members_for_single == 4


def test_committee_pages_are_scoped(world, seat, assert_scoped, client):
    u = world.users
    url = reverse("units:committee_adjuncts", args=[world.cc1.public_id])
    assert_scoped(url, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider)
    end = reverse("units:adjunct_end", args=[seat.public_id])
    assert_scoped(end, owner=u.community_worker, colleague=u.district_admin, outsider=u.subdistrict_admin_outsider)
    # A plain community committee has no adjunct members' page.
    assert_scoped(
        reverse("units:committee_adjuncts", args=[world.cc3.public_id]), owner=None, outsider=u.district_admin
    )
    for target in (url, end, reverse("units:committee_list")):
        assert_gated(client, target, u, [*OUTSIDE_ROLES, "unit_contact"])


def test_alliance_pages_are_scoped(world, alliance, community_alliance, assert_scoped, client):
    u = world.users
    for url in (
        reverse("units:alliance_detail", args=[alliance.public_id]),
        reverse("units:alliance_remove_unit", args=[alliance.public_id, world.unit.public_id]),
    ):
        assert_scoped(url, owner=u.subdistrict_admin, colleague=u.district_admin, outsider=u.subdistrict_admin_outsider)
        assert_scoped(url, owner=u.subdistrict_admin_colleague, outsider=u.community_worker)  # the subdistrict's
        assert_gated(client, url, u, [*OUTSIDE_ROLES, "unit_contact"])
    url = reverse("units:alliance_detail", args=[community_alliance.public_id])
    assert_scoped(url, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider)
    for name in ("alliance_list", "alliance_create"):
        assert_gated(client, reverse(f"units:{name}"), u, [*OUTSIDE_ROLES, "unit_contact"])


# -- journeys ------------------------------------------------------------------------------------------
def test_a_community_worker_registers_a_unit_and_sees_the_errors_in_chinese(world, login):
    client = login(world.users.community_worker)
    url = reverse("units:create")
    form = {
        "name": "珠海婆石科技有限公司",
        "kind": "enterprise",
        "credit_code": "91440402MA4UPE2X1Z",
        "community": world.c1.pk,
        "staff_count": "12",
        "member_count": "3",
    }
    body = client.post(url, form).content.decode()
    assert "统一社会信用代码含有不允许的字符：Z" in body
    first17 = "91440402MA4UPE2X1"
    good = first17 + credit_code_check_char(first17)
    response = client.post(url, {**form, "credit_code": good.lower()})
    unit = ResidentUnit.objects.get(name="珠海婆石科技有限公司")
    assert response["Location"] == reverse("units:detail", args=[unit.public_id])
    assert unit.credit_code == good and unit.member_count == 3
    body = client.post(url, {**form, "name": "另一家", "credit_code": good}).content.decode()
    assert "已被其他单位登记" in body
    body = client.post(url, {**form, "community": world.c3.pk}).content.decode()  # outside their scope
    assert "选择一个有效的选项" in body and not ResidentUnit.objects.filter(community=world.c3).exists()


def test_a_unit_is_edited_and_organized(world, login):
    client = login(world.users.community_worker)
    unit = world.unit
    response = client.post(
        reverse("units:edit", args=[unit.public_id]),
        {"name": unit.name, "kind": "agency", "community": world.c1.pk, "staff_count": "90", "member_count": "6"},
    )
    assert response.status_code == 302
    url = reverse("units:formation", args=[unit.public_id])
    body = client.get(url).content.decode()
    assert "口岸中心党支部" in body and "海虹花园小区党支部" not in body
    response = client.post(url, {"action": "formation", "party_org": world.ub.pk, "instructor": ""})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.party_org == world.ub and unit.staff_count == 90
    body = client.get(reverse("units:detail", args=[unit.public_id])).content.decode()
    assert "单独组建" in body and "空白点" not in body
    # An organization the page did not offer is refused by the form.
    body = client.post(url, {"action": "formation", "party_org": world.eb3.pk}).content.decode()
    assert "选择一个有效的选项" in body


def test_a_blank_spot_forms_its_own_branch_from_its_page(world, login):
    shop = ResidentUnit.objects.create(
        name="婆石书店", kind="enterprise", community=world.c1, member_count=3, staff_count=9
    )
    client = login(world.users.community_worker)
    body = client.get(reverse("units:detail", args=[shop.public_id])).content.decode()
    assert "空白点" in body and "应单独组建党组织" in body
    url = reverse("units:formation", args=[shop.public_id])
    response = client.post(url, {"action": "own_branch", "parent": world.cc1.pk, "name": "", "secretary": "周书记"})
    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.party_org.name == "婆石书店党支部" and shop.party_org.unit == shop


def test_the_list_searches_and_filters(world, login):
    joint = org_services.org_create(
        actor=None, org_type="joint_branch", name="婆石联合支部", parent=world.cc1, area=world.c1
    )
    first17 = "91440402MA4UPE2X1"
    ResidentUnit.objects.create(
        name="婆石小店", pinyin="psxd", kind="enterprise", community=world.c1, party_org=joint,
        credit_code=first17 + credit_code_check_char(first17),
    )  # fmt: skip
    ResidentUnit.objects.filter(pk=world.unit.pk).update(party_org=world.ub)
    ResidentUnit.objects.create(name="茂盛书店", kind="enterprise", community=world.c2)
    client = login(world.users.subdistrict_admin)
    url = reverse("units:list")

    def names(**params):
        body = client.get(url, params).content.decode()
        return [n for n in ("婆石小店", "拱北口岸中心", "茂盛书店") if f">{n}</a>" in body]

    assert names() == ["婆石小店", "拱北口岸中心", "茂盛书店"]
    assert names(q="psxd") == ["婆石小店"]
    assert names(q="ma4upe") == ["婆石小店"]
    assert names(formation="single") == ["拱北口岸中心"]
    assert names(formation="joint") == ["婆石小店"]
    assert names(formation="none") == ["茂盛书店"]
    assert names(kind="agency") == ["拱北口岸中心"]
    assert names(community=world.c2.public_id) == ["茂盛书店"]
    assert names(area=world.s1.public_id, kind="enterprise") == ["婆石小店", "茂盛书店"]


def test_the_coverage_page_shows_cards_chart_breakdown_and_blank_spots(cov, login):
    client = login(cov.world.users.district_admin)
    body = client.get(reverse("units:coverage_area", args=[cov.world.district.public_id])).content.decode()
    assert 'data-testid="card-single"' in body and "50.0%" in body and "2 / 4" in body
    assert 'id="coverage-data"' in body and "拱北街道" in body and "吉大街道" in body
    assert "婆石甲科技有限公司" in body and "从业人员 30 人的社会组织（≥ 30 人），应实现党组织覆盖" in body
    assert "单建率" in body and "有党员且已单独或联合组建党组织的单位数 ÷ 有党员的单位数。" in body
    body = client.get(reverse("units:coverage_area", args=[cov.world.c2.public_id])).content.decode()
    assert "无统计对象" in body  # 茂盛社区 has no unit due single formation: "—", not 0 %
    body = client.get(reverse("units:coverage_org", args=[cov.world.cc1.public_id])).content.decode()
    assert "婆石非公企业联合党支部" in body and "3 / 3" in body


def test_adjunct_members_are_added_and_ended_on_the_page(world, login):
    client = login(world.users.community_worker)
    url = reverse("units:committee_adjuncts", args=[world.cc1.public_id])
    response = client.post(url, {"unit": world.unit.pk, "name": "陈主任", "post": "主任", "since": "2022-01-01"})
    assert response.status_code == 302
    body = client.post(url, {"unit": world.unit.pk, "name": "陈主任"}).content.decode()
    assert "已是「婆石社区大党委」的在任兼职委员" in body
    seat = AdjunctMember.objects.get()
    end = reverse("units:adjunct_end", args=[seat.public_id])
    assert "确认卸任" in client.get(end).content.decode()
    assert AdjunctMember.objects.get().is_active  # nothing happens before the confirmation
    client.post(end)
    seat.refresh_from_db()
    assert not seat.is_active and seat.ended_on is not None
    assert "已卸任" in client.get(url).content.decode()


def test_an_alliance_is_created_joined_and_left_with_confirmation(world, login):
    client = login(world.users.subdistrict_admin)
    response = client.post(
        reverse("units:alliance_create"),
        {"name": "拱北区域党建联盟", "area": world.s1.pk, "lead_org": world.wc1.pk, "founded_on": "2021-06-18"},
    )
    alliance = world.s1.alliances.get()
    assert response["Location"] == reverse("units:alliance_detail", args=[alliance.public_id])
    detail = reverse("units:alliance_detail", args=[alliance.public_id])
    client.post(detail, {"unit": world.unit.pk, "covenant": "开放口岸党员教育基地"})
    assert "开放口岸党员教育基地" in client.get(detail).content.decode()
    remove = reverse("units:alliance_remove_unit", args=[alliance.public_id, world.unit.public_id])
    assert "确认移出" in client.get(remove).content.decode()
    assert AllianceMembership.objects.count() == 1
    client.post(remove)
    assert AllianceMembership.objects.count() == 0
    assert AuditEvent.objects.filter(object_type="units.alliancemembership").count() == 2


# -- query counts ------------------------------------------------------------------------------------------
def test_list_and_coverage_pages_have_bounded_queries(cov, count_queries, seat, alliance):
    admin = cov.world.users.district_admin
    urls = [
        reverse("units:list"),
        reverse("units:coverage_area", args=[cov.world.district.public_id]),
        reverse("units:coverage_area", args=[cov.world.c1.public_id]),
        reverse("units:coverage_org", args=[cov.world.cc1.public_id]),
        reverse("units:committee_list"),
        reverse("units:committee_adjuncts", args=[cov.world.cc1.public_id]),
        reverse("units:alliance_list"),
        reverse("units:alliance_detail", args=[alliance.public_id]),
        reverse("units:detail", args=[cov.world.unit.public_id]),
    ]
    before = [count_queries(admin, url) for url in urls]
    from dangjian.territory import services as territory_services

    for n in range(6):
        community = territory_services.area_create(
            actor=None, level="community", name=f"新社区{n}", parent=cov.world.s1
        )
        for k in range(5):
            unit = ResidentUnit.objects.create(
                name=f"新单位{n}-{k}", kind="enterprise", community=cov.world.c1 if k % 2 else community, member_count=k
            )
            services.alliance_add_unit(actor=None, alliance=alliance, unit=unit) if k == 1 else None
            if k == 2:
                services.adjunct_add(actor=None, committee=cov.world.cc1, unit=unit, name=f"委员{n}")
        org_services.org_create(
            actor=None, org_type="expanded_committee", name=f"新大党委{n}", parent=cov.world.wc1, area=community
        )
        services.alliance_create(actor=None, name=f"新联盟{n}", area=community, lead_org=cov.world.wc1)
    assert [count_queries(admin, url) for url in urls] == before


def test_links_go_only_where_the_user_may_go(world, login):
    shop = ResidentUnit.objects.create(name="茂盛书店", kind="enterprise", community=world.c2)
    services.adjunct_add(actor=None, committee=world.cc1, unit=shop, name="钱经理")
    url = reverse("units:committee_adjuncts", args=[world.cc1.public_id])
    shop_url = reverse("units:detail", args=[shop.public_id])
    body = login(world.users.community_worker).get(url).content.decode()
    assert "茂盛书店" in body and shop_url not in body  # another community's unit: named, not linked
    assert shop_url in login(world.users.subdistrict_admin).get(url).content.decode()
    alliance = services.alliance_create(actor=None, name="拱北区域党建联盟", area=world.s1, lead_org=world.wc1)
    services.alliance_add_unit(actor=None, alliance=alliance, unit=world.unit)
    ResidentUnit.objects.filter(pk=world.unit.pk).update(party_org=world.ub)
    detail = reverse("units:detail", args=[world.unit.public_id])
    alliance_url = reverse("units:alliance_detail", args=[alliance.public_id])
    org_url = reverse("orgs:detail", args=[world.ub.public_id])
    body = login(world.users.community_worker).get(detail).content.decode()
    assert "拱北区域党建联盟" in body and alliance_url not in body and org_url in body
    body = login(world.users.unit_contact).get(detail).content.decode()
    assert "口岸中心党支部" in body and org_url not in body


def test_a_superuser_sees_the_whole_deployment(cov, client, django_user_model):
    root = django_user_model.objects.create_superuser(username="root", password="x-Strong-pass-1")
    client.force_login(root)
    body = client.get(reverse("units:coverage")).content.decode()
    assert "全部辖区" in body and "各区按本区的组建覆盖规则计算" in body and "香洲区" in body
