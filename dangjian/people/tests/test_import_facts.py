"""A member import writes by COPY (no signals): once it commits, a queued task records the figures
store's stocks of the members it wrote, so the store equals the rows right after it."""

import pytest
from huey.contrib.djhuey import HUEY

from dangjian.imports import services
from dangjian.imports.models import ImportStatus
from dangjian.imports.testing import MEMBER_HEADER, member_row, xlsx
from dangjian.people.selectors import member_counts, member_counts_from_rows
from dangjian.units import coverage as unit_coverage
from dangjian.units.models import ResidentUnit


@pytest.fixture
def queue_runs_at_once():
    was = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = was


def test_after_an_import_the_stored_member_counts_equal_the_rows(
    world, django_capture_on_commit_callbacks, queue_runs_at_once
):
    user = world.users.community_worker
    before = member_counts(world.eb)
    rows = [member_row(k) for k in range(2, 9)] + [member_row(9, 状态="口袋", 所在党组织="", 工作单位="拱北口岸中心")]
    job = services.job_create(actor=user, kind="members", filename="名单.xlsx", content=xlsx(MEMBER_HEADER, rows))
    job = services.job_check_run(job.pk)
    assert job.can_confirm, job.errors
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = services.job_confirm(actor=user, job=job)
    assert callbacks  # the stocks are recorded after the commit, on the queue
    assert job.status == ImportStatus.DONE and job.imported_count == 8
    for org in (world.eb, world.cc1, world.wc1, world.dc, None):
        assert member_counts(org) == member_counts_from_rows(org)
    assert member_counts(world.eb)["members"] == before["members"] + 7
    # The pocket member works at 拱北口岸中心: the unit's members on record follow in the store too.
    stored = unit_coverage.area_coverage(world.c1).figures
    assert stored == unit_coverage.area_coverage(world.c1, units=ResidentUnit.objects.all()).figures
    assert stored.with_members == 1


def test_the_queued_recording_is_safe_to_run_twice_and_covers_every_range(world):
    from dangjian.core.db import pk_runs
    from dangjian.core.tasks import facts_record_bulk
    from dangjian.people.models import Member

    assert pk_runs([7, 3, 4, 5, 9, 10]) == [(3, 5), (7, 7), (9, 10)]
    org = world.eb
    made = Member.objects.bulk_create([Member(name=f"批量{k}", org=org, status="in_service") for k in range(5)])
    assert member_counts(org) != member_counts_from_rows(org)  # bulk_create sent no signal
    ranges = pk_runs([m.pk for m in made])
    assert facts_record_bulk.call_local("people.member", ranges) == 5
    assert member_counts(org) == member_counts_from_rows(org)
    facts_record_bulk.call_local("people.member", ranges)  # a second run adds nothing
    assert member_counts(org) == member_counts_from_rows(org)
