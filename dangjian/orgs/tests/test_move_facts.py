"""Moving an organization rewrites its subtree's paths with update() (no signals): org_move records the
figures store's stocks of the moved subtree (members, units organized into it) in its transaction."""

from dangjian.orgs import services
from dangjian.people.models import Member
from dangjian.people.selectors import member_counts, member_counts_from_rows
from dangjian.units import coverage as unit_coverage
from dangjian.units import services as unit_services
from dangjian.units.models import ResidentUnit


def test_after_a_move_the_stored_counts_equal_the_rows(world):
    w = world
    Member.objects.create(name="甲", org=w.eb, status="in_service")
    Member.objects.create(name="乙", org=w.ub, status="retired")
    Member.objects.create(name="丙", org=w.eb3, status="in_service")
    unit_services.unit_set_formation(actor=None, unit=w.unit, party_org=w.ub)
    before = member_counts(w.wc2)["members"]
    services.org_move(actor=None, org=w.cc1, new_parent=w.wc2)
    w.cc1.refresh_from_db()
    assert w.cc1.path.startswith(w.wc2.path)
    for org in (w.dc, w.wc1, w.wc2, w.cc1, w.eb):
        org.refresh_from_db()
        assert member_counts(org) == member_counts_from_rows(org)
        stored = unit_coverage.org_coverage(org)
        from_rows = unit_coverage.org_coverage(org, units=ResidentUnit.objects.all())
        assert stored.figures == from_rows.figures
    assert member_counts(w.wc2)["members"] == before + 2
    assert member_counts(w.wc1)["members"] == 0
    assert unit_coverage.org_figures(w.wc2).units == 1 and unit_coverage.org_figures(w.wc1).units == 0
