"""街长评议驻街部门 (issue 19 item 6): a sheet per department, its automatic items read from the store's
`department:<id>` dimension of cases and checked against a hand count of the cases' figures fixture
(`build_march`), the street chiefs' scores (mean scaled to the item's weight), confirmation straight from
待述职, publishing with ranks, and who reads what: the district all, a street chief the departments serving
their subdistrict, a department its own sheet once published, everyone else nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.assessment.models import ChiefScore, Score, Sheet, SheetStatus, Source
from dangjian.assessment.services import schemes, sheets
from dangjian.cases.tests.figures.test_selectors import build_march
from dangjian.core.workflow import TransitionRefused

pytestmark = pytest.mark.django_db


def _auto(sheet, metric):
    return Score.objects.get(sheet=sheet, item__source=Source.AUTO, item__metric=metric)


def test_a_sheet_for_every_department_serving_the_district(world, dept_scheme, stationed):
    departments = set(dept_scheme.sheets.values_list("department_id", flat=True))
    assert departments == {world.dept.pk, world.dept2.pk, stationed.pk}
    assert not dept_scheme.sheets.filter(org__isnull=False).exists()
    assert set(dept_scheme.items.values_list("source", flat=True)) == {Source.AUTO, Source.CHIEF}
    assert sum(i.weight for i in dept_scheme.items.all()) == 100


def test_the_automatic_items_match_a_hand_count_of_the_cases(world, cast, dept_scheme, dept_sheet):
    build_march(world)
    sheets.sheet_recompute(actor=cast.district, sheet=dept_sheet)
    # 香洲区城管局 took part in cases 1, 2, 4 and 8 of March: case 2 was sent back once; 1, 2 and 8 are
    # closed, 1 and 8 on time; 1 (满意), 2 (基本满意) and 8 (不满意) were rated.
    response = _auto(dept_sheet, "dept_response")
    assert response.points == Decimal("15.0")  # 20 × 3 / 4
    assert response.explanation == "派至本部门事件 4 件，退回 1 件，签收承办 3 件 → 15.0 分"
    on_time = _auto(dept_sheet, "dept_on_time")
    assert on_time.points == Decimal("20.0")  # 30 × 2 / 3
    assert on_time.explanation == "本部门办结事件 3 件，按期办结 2 件 → 20.0 分"
    satisfied = _auto(dept_sheet, "dept_satisfaction")
    assert satisfied.points == Decimal("13.3")  # 20 × 2 / 3
    assert satisfied.explanation == "回访评价 3 件，满意或基本满意 2 件 → 13.3 分"
    # 香洲区环卫中心: cases 2, 3 and 5; 2 returned once and 3 twice; 2 (late) and 5 (on time) closed; 2 rated
    other = dept_scheme.sheets.get(department=world.dept2)
    sheets.sheet_recompute(actor=cast.district, sheet=other)
    assert _auto(other, "dept_response").points == Decimal("6.7")  # 20 × 1 / 3
    assert _auto(other, "dept_on_time").points == Decimal("15.0")  # 30 × 1 / 2
    assert _auto(other, "dept_satisfaction").points == Decimal("20.0")  # 20 × 1 / 1
    # the stationed police station took part in none: nothing due deducts nothing, and says so
    police = dept_scheme.sheets.get(department__name="拱北派出所")
    sheets.sheet_recompute(actor=cast.district, sheet=police)
    assert "无应完成事项，不扣分" in _auto(police, "dept_on_time").explanation
    dept_sheet.refresh_from_db()
    assert dept_sheet.total == sum(s.points or 0 for s in Score.objects.filter(sheet=dept_sheet))


def test_the_street_chiefs_score_and_the_item_takes_their_mean(world, cast, dept_sheet):
    u = world.users
    sheets.chief_score(actor=u.subdistrict_admin, sheet=dept_sheet, points=Decimal("90"), note="响应迅速")
    sheets.chief_score(actor=u.subdistrict_admin_outsider, sheet=dept_sheet, points=Decimal("75"))
    sheets.chief_score(actor=u.subdistrict_admin, sheet=dept_sheet, points=Decimal("80"))  # replaces their own
    assert ChiefScore.objects.filter(sheet=dept_sheet).count() == 2
    chief = Score.objects.get(sheet=dept_sheet, item__source=Source.CHIEF)
    assert chief.points == Decimal("23.3")  # mean 77.5 of 100, × 30 / 100 = 23.25 → 23.3
    assert chief.explanation == "街长 2 人评分，平均 77.5 分（满分 100）→ 23.3 分"
    for outsider in (cast.district, u.community_worker, u.department_staff, cast.secretary):
        with pytest.raises(ValidationError):
            sheets.chief_score(actor=outsider, sheet=dept_sheet, points=Decimal("60"))
    with pytest.raises(ValidationError):
        sheets.chief_score(actor=u.subdistrict_admin, sheet=dept_sheet, points=Decimal("101"))


def test_a_street_chief_scores_only_the_departments_serving_their_subdistrict(world, dept_scheme, stationed):
    police = dept_scheme.sheets.get(department=stationed)
    sheets.chief_score(actor=world.users.subdistrict_admin, sheet=police, points=Decimal("88"))
    with pytest.raises(ValidationError):  # 吉大's street chief: 拱北's police station is not theirs
        sheets.chief_score(actor=world.users.subdistrict_admin_outsider, sheet=police, points=Decimal("70"))


def test_the_district_confirms_from_draft_once_scored_and_publishes_with_ranks(world, cast, dept_scheme, sheet):
    u = world.users
    schemes.scheme_recompute(actor=cast.district, scheme=dept_scheme)
    rows = list(dept_scheme.sheets.select_related("department").order_by("pk"))
    with pytest.raises(ValidationError):  # the street chief has not scored yet
        sheets.sheet_confirm(actor=cast.district, sheet=rows[0])
    for n, row in enumerate(rows):
        chief = u.subdistrict_admin
        sheets.chief_score(actor=chief, sheet=row, points=Decimal(70 + 10 * n))
        with pytest.raises(TransitionRefused):
            sheets.sheet_confirm(actor=chief, sheet=Sheet.objects.get(pk=row.pk))
        sheets.sheet_confirm(actor=cast.district, sheet=Sheet.objects.get(pk=row.pk))
    assert schemes.scheme_publish(actor=cast.district, scheme=dept_scheme) == 3
    published = list(dept_scheme.sheets.order_by("rank", "pk"))
    assert [s.rank for s in published] == [1, 2, 3] and published[0].total > published[-1].total
    assert all(s.status == SheetStatus.PUBLISHED and s.grade == dept_scheme.grade_of(s.total) for s in published)
    # an organization's sheet is still confirmed only after its 述职
    with pytest.raises(ValidationError):
        sheets.sheet_confirm(actor=cast.district, sheet=sheet)


def test_a_department_reads_its_own_sheet_once_published(world, cast, dept_sheet, assert_scoped, login):
    u = world.users
    url = reverse("assessment:sheet", args=[dept_sheet.public_id])
    assert login(u.department_staff).get(url).status_code == 404  # not yet published
    sheets.sheet_recompute(actor=cast.district, sheet=dept_sheet)
    sheets.chief_score(actor=u.subdistrict_admin, sheet=dept_sheet, points=Decimal("85"))
    sheets.sheet_confirm(actor=cast.district, sheet=dept_sheet)
    schemes.scheme_publish(actor=cast.district, scheme=dept_sheet.scheme)
    for name in ("sheet", "sheet_pdf"):
        url = reverse(f"assessment:{name}", args=[dept_sheet.public_id])
        assert_scoped(url, owner=u.department_staff, colleague=cast.district, outsider=u.department_staff_outsider)
    scheme_url = reverse("assessment:scheme", args=[dept_sheet.scheme.public_id])
    page = login(u.department_staff).get(scheme_url).content.decode()
    assert "香洲区城管局" in page and "香洲区环卫中心" not in page
    assert login(u.department_staff_outsider).get(scheme_url).status_code == 404  # its sheet is unpublished


def test_the_sheet_pages_of_a_department_are_scoped(world, cast, dept_scheme, dept_sheet, stationed, assert_scoped):
    u = world.users
    url = reverse("assessment:sheet", args=[dept_sheet.public_id])
    assert_scoped(url, owner=cast.district, colleague=u.subdistrict_admin_outsider, outsider=u.community_worker)
    police = dept_scheme.sheets.get(department=stationed)
    for name in ("sheet", "sheet_pdf", "sheet_chief", "sheet_recompute", "sheet_step"):
        url = reverse(f"assessment:{name}", args=[police.public_id])
        method = "get" if name in ("sheet", "sheet_pdf") else "post"
        for outsider in (u.subdistrict_admin_outsider, u.department_staff, u.community_worker):
            assert_scoped(url, owner=None, outsider=outsider, method=method)
    assert_scoped(reverse("assessment:sheet", args=[police.public_id]), owner=u.subdistrict_admin,
                  colleague=u.subdistrict_admin_colleague, outsider=u.subdistrict_admin_outsider)  # fmt: skip


def test_the_street_chief_scores_on_the_page_and_it_is_printed_and_exported(world, cast, dept_sheet, login):
    u = world.users
    client = login(u.subdistrict_admin)
    url = reverse("assessment:sheet", args=[dept_sheet.public_id])
    assert 'data-testid="chief-score-form"' in client.get(url).content.decode()
    xss = "<img src=x onerror=window.__xss=1>"
    client.post(reverse("assessment:sheet_chief", args=[dept_sheet.public_id]), {"points": "84", "note": xss})
    page = client.get(url).content.decode()
    assert "街长 1 人评分，平均 84.0 分" in page and xss not in page
    assert 'data-testid="chief-score-form"' not in login(cast.district).get(url).content.decode()
    pdf = login(cast.district).get(reverse("assessment:sheet_pdf", args=[dept_sheet.public_id]))
    assert pdf.status_code == 200
    from .test_exports import _names

    names = _names(login(cast.district).get(reverse("imports:export_assessment_sheets") + "?year=2026"))
    assert {"香洲区城管局", "香洲区环卫中心", "拱北派出所"} <= set(names)


def test_the_department_scheme_page_costs_the_same_for_more_departments(world, cast, dept_scheme, count_queries):
    from dangjian.units.models import Department

    url = reverse("assessment:scheme", args=[dept_scheme.public_id])
    few = count_queries(cast.district, url)
    for n in range(30):
        Department.objects.create(name=f"测试部门{n}", kind="other", area=world.s2)
    schemes.sheets_open(actor=cast.district, scheme=dept_scheme)
    assert dept_scheme.sheets.count() == 33
    assert count_queries(cast.district, url) <= few
    assert count_queries(cast.district, url + "?page=2") <= few
    assert count_queries(world.users.subdistrict_admin, url) <= few


def test_an_item_names_a_metric_and_a_source_of_its_kind(world, cast, dept_scheme, scheme):
    with pytest.raises(ValidationError):
        schemes.item_add(actor=cast.district, scheme=dept_scheme, name="x", weight=Decimal(5), source=Source.AUTO,
                         metric="orglife_meetings")  # fmt: skip
    with pytest.raises(ValidationError):
        schemes.item_add(actor=cast.district, scheme=dept_scheme, name="x", weight=Decimal(5), source=Source.PANEL)
    with pytest.raises(ValidationError):
        schemes.item_add(actor=cast.district, scheme=scheme, name="x", weight=Decimal(5), source=Source.CHIEF)
    item = schemes.item_add(actor=cast.district, scheme=dept_scheme, name="联合执法", weight=Decimal(5),
                            source=Source.AUTO, metric="dept_on_time")  # fmt: skip
    assert Score.objects.filter(item=item).count() == dept_scheme.sheets.count()


def test_a_street_chief_has_the_departments_to_score_in_todays_list(world, cast, dept_sheet, login):
    from dangjian.assessment.todo import assessment_todos

    u = world.users
    chief = u.subdistrict_admin
    client = login(chief)

    def counted():
        items = [i for i in assessment_todos(chief) if "驻街部门" in i.title]
        return items[0] if items else None

    item = counted()
    assert item is not None and item.count == dept_sheet.scheme.sheets.count()  # 拱北's chief reads all three
    page = client.get(item.url)
    assert page.context["open_count"] == item.count and "香洲区城管局" in page.content.decode()
    sheets.chief_score(actor=chief, sheet=dept_sheet, points=Decimal("80"))
    assert counted().count == item.count - 1
    assert not [i for i in assessment_todos(cast.district) if "驻街部门" in i.title]
    other = [i.count for i in assessment_todos(u.subdistrict_admin_outsider) if "驻街部门" in i.title]
    assert other == [2]  # 吉大's chief scores the district's two departments, not 拱北's police station
