"""考核统计 through the store of facts: the sheets' steps keep `assessment.sheets` equal to a recomputation
from the rows (and `manage.py facts --rebuild --subject assessment.sheets` writes the same), the page's
figures equal counts of the rows, drill-down by area and kind, scope, and a bounded query count."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse

from dangjian.assessment.facts import SHEETS
from dangjian.assessment.figures import sheet_figures
from dangjian.assessment.models import SchemeKind, Sheet, SheetStatus
from dangjian.core import periods
from dangjian.core.figures import facts

pytestmark = pytest.mark.django_db


def _drift():
    return facts.differences(SHEETS, facts.stored(SHEETS, None, None), facts.recompute(SHEETS).facts)


def _rows(qs):
    published = qs.filter(status=SheetStatus.PUBLISHED)
    return {
        "sheets": qs.count(),
        "published": published.count(),
        "good": published.filter(grade="good").count(),
        "poor": published.filter(grade="poor").count(),
        "total": published.aggregate(t=Sum("total"))["t"],
    }


def test_the_store_follows_every_step_and_a_rebuild_agrees(world, year_of_work):
    assert _drift() == []
    before = facts.stored(SHEETS, None, None)
    call_command("facts", "--rebuild", "--subject", "assessment.sheets")
    assert facts.stored(SHEETS, None, None) == before
    assert _drift() == []


def test_the_figures_equal_the_rows(world, year_of_work):
    scheme, _dept = year_of_work
    district_user = world.users.district_admin
    period = periods.period_for("custom", datetime.date(scheme.year, 1, 1), datetime.date(scheme.year, 1, 1))
    for node, qs in (
        (world.district, Sheet.objects.all()),
        (world.s1, Sheet.objects.filter(area_path__startswith=world.s1.path)),
    ):
        report = sheet_figures(user=district_user, node=node, period=period)
        want = _rows(qs)
        t = report.total
        assert (t.sheets, t.published, t.good, t.poor) == tuple(
            want[k] for k in ("sheets", "published", "good", "poor")
        )
        assert t.average == (Decimal(want["total"]) / want["published"]).quantize(Decimal("0.1"))
    report = sheet_figures(user=district_user, node=world.district, period=period, kind=SchemeKind.DEPARTMENT)
    assert report.total.sheets == Sheet.objects.filter(department__isnull=False).count()
    assert report.total.published == Sheet.objects.filter(department__isnull=False, status="published").count()
    # the district's departments sit on the district itself, 拱北's police station under 拱北
    on_node = [r for r in report.children if r.area is None]
    assert on_node and on_node[0].figures.sheets == Sheet.objects.filter(area_path=world.district.path).count()
    june = datetime.date(scheme.year - 1, 6, 1)
    other_year = periods.period_for("custom", june, june)
    assert sheet_figures(user=district_user, node=world.district, period=other_year).total.sheets == 0


def test_the_figures_page_is_scoped_and_its_queries_bounded(world, year_of_work, assert_scoped, count_queries, login):
    u = world.users
    url = reverse("assessment:figures")
    page = login(u.district_admin).get(url).content.decode()
    assert "考核统计" in page and 'data-testid="total-sheets"' in page
    s1 = f"{url}?node={world.s1.public_id}"
    assert_scoped(s1, owner=u.district_admin, colleague=u.subdistrict_admin, outsider=u.subdistrict_admin_outsider)
    assert_scoped(url, owner=u.community_worker, outsider=u.department_staff)
    few = count_queries(u.district_admin, url)
    assert count_queries(u.district_admin, f"{url}?kind=department&period=last_year") <= few
    from dangjian.territory.services import area_create

    for n in range(12):
        area_create(actor=None, level="community", name=f"测试社区{n}", parent=world.s2)
    assert count_queries(u.district_admin, f"{url}?node={world.s2.public_id}") <= few + 2
