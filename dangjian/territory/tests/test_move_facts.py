"""Moving a territory node rewrites its subtree's paths with update() (no signals): area_move records
the figures store's stocks that follow the moved communities (their units, members at home there)."""

from dangjian.people.models import Member
from dangjian.registration.facts import home_counts
from dangjian.territory import services
from dangjian.units import coverage as unit_coverage
from dangjian.units.models import ResidentUnit


def test_after_a_move_the_stored_figures_equal_the_rows(world):
    w = world
    ResidentUnit.objects.create(name="茂盛丁贸易有限公司", kind="enterprise", community=w.c2, member_count=2)
    Member.objects.create(name="甲", org=w.eb, home_community=w.c2, status="in_service")
    due_before = home_counts([w.c2]).get(w.c2.pk, (0, 0))
    services.area_move(actor=None, area=w.c2, new_parent=w.s2)
    everything = ResidentUnit.objects.all()
    for area in (w.district, w.s1, w.s2, w.c2):
        area.refresh_from_db()
        stored = unit_coverage.area_coverage(area)
        from_rows = unit_coverage.area_coverage(area, units=everything)
        assert stored.figures == from_rows.figures
        assert [(r.label, r.figures) for r in stored.rows] == [(r.label, r.figures) for r in from_rows.rows]
    assert unit_coverage.area_figures(w.s2).units == 1 and unit_coverage.area_figures(w.s1).units == 1
    assert home_counts([w.c2]).get(w.c2.pk, (0, 0)) == due_before
    assert due_before[0] == 1
