"""A unit import writes with bulk_create (no signals): it records the units' coverage stock in its own
transaction, so the store equals the rows right after it."""

from dangjian.imports import services
from dangjian.imports.models import ImportStatus
from dangjian.imports.testing import UNIT_HEADER, credit_code, xlsx
from dangjian.units import coverage as unit_coverage
from dangjian.units.models import ResidentUnit


def test_after_a_unit_import_the_stored_coverage_equals_the_rows(world):
    user = world.users.subdistrict_admin
    before = unit_coverage.area_figures(world.s1)
    rows = [
        ["甲公司", "非公企业", credit_code(1), "婆石社区", "迎宾南路 1 号", 56, 4, "陈红"],
        ["乙协会", "社会组织", credit_code(2), "茂盛社区", "茂盛路 2 号", 40, 0, ""],
    ]
    job = services.job_create(actor=user, kind="units", filename="名单.xlsx", content=xlsx(UNIT_HEADER, rows))
    job = services.job_confirm(actor=user, job=services.job_check_run(job.pk))
    assert job.status == ImportStatus.DONE, job.errors
    everything = ResidentUnit.objects.all()
    for area in (world.district, world.s1, world.c1, world.c2):
        stored = unit_coverage.area_coverage(area)
        from_rows = unit_coverage.area_coverage(area, units=everything)
        assert stored.figures == from_rows.figures
        assert [(r.label, r.figures) for r in stored.rows] == [(r.label, r.figures) for r in from_rows.rows]
    after = unit_coverage.area_figures(world.s1)
    assert (after.units, after.blank, after.big_social) == (before.units + 2, before.blank + 2, before.big_social + 1)
