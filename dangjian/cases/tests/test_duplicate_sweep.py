"""Duplicate searches lost from the queue are found again: the case says whether its search ran
(`duplicates_checked_at`), the periodic sweep queues the missing ones again, and the work is done once.

On the real queue (the SQLite file, or Redis in CI) with real commits; the consumer is a real huey
consumer in threads of this process, started after the work was queued, as after a restart."""

from __future__ import annotations

import datetime
import time

import pytest
from django.db import connections
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from dangjian.cases import duplicates, tasks
from dangjian.cases.intake.services import case_submit
from dangjian.cases.models import Case, CaseCategory, CaseLog, Channel

from .test_duplicates import GARBAGE, GARBAGE_AGAIN, HERE, NEAR

pytestmark = pytest.mark.django_db(transaction=True)


def file_case(world, text, where):
    return case_submit(
        actor=world.users.resident,
        channel=Channel.PHONE,
        category=CaseCategory.objects.get(code="garbage"),
        description=text,
        lat=where[0],
        lng=where[1],
    )


def received_ago(case, minutes):
    Case.objects.filter(pk=case.pk).update(received_at=timezone.now() - datetime.timedelta(minutes=minutes))


def run_consumer_until_empty():
    """A huey consumer's threads (2 workers, no periodic tasks; its signal handlers are left out so as not to
    take over the test process's): started now, stopped gracefully once the queue is empty, which
    lets a task being executed finish."""
    consumer = HUEY.create_consumer(workers=2, worker_type="thread", periodic=False)
    consumer.scheduler.start()
    for _, worker in consumer.worker_threads:
        worker.start()
    try:
        for _ in range(1200):  # at most a minute
            if HUEY.pending_count() == 0:
                break
            time.sleep(0.05)
    finally:
        consumer.stop(graceful=True)
        connections.close_all()
    assert HUEY.pending_count() == 0


def test_work_queued_while_no_consumer_runs_is_done_when_it_starts(world):
    HUEY.flush()
    assert not HUEY.immediate
    first = file_case(world, GARBAGE, HERE)
    second = file_case(world, GARBAGE_AGAIN, NEAR)
    assert HUEY.pending_count() == 2  # no consumer: both searches wait in the queue
    assert not Case.objects.filter(duplicates_checked_at__isnull=False).exists()
    run_consumer_until_empty()
    second.refresh_from_db()
    assert second.possible_duplicate_of_id == first.pk and second.duplicates_checked_at is not None
    assert Case.objects.get(pk=first.pk).duplicates_checked_at is not None
    assert CaseLog.objects.filter(case=second, public=False).count() == 1


def test_a_search_dropped_from_the_queue_is_queued_again_by_the_sweep_and_done_once(world):
    HUEY.flush()
    first = file_case(world, GARBAGE, HERE)
    HUEY.execute(HUEY.dequeue())  # the first case's own search ran
    second = file_case(world, GARBAGE_AGAIN, NEAR)
    HUEY.flush()  # lost: a consumer killed while running it, or Redis restarted without persistence
    assert Case.objects.get(pk=second.pk).duplicates_checked_at is None
    # A few minutes are given to the queue before the sweep steps in.
    assert tasks.case_duplicate_sweep.call_local() == 0 and HUEY.pending_count() == 0
    received_ago(first, 10)
    received_ago(second, 10)
    assert tasks.case_duplicate_sweep.call_local() == 1  # only the lost one
    assert HUEY.pending_count() == 1
    run_consumer_until_empty()
    second.refresh_from_db()
    assert second.possible_duplicate_of_id == first.pk and second.duplicates_checked_at is not None
    # Swept again (or the lost task turns up after all): nothing is queued or written twice.
    assert tasks.case_duplicate_sweep.call_local() == 0
    assert tasks.case_duplicate_check.call_local(second.pk) == ""
    assert CaseLog.objects.filter(case=second, public=False).count() == 1


def test_the_sweep_leaves_old_cases_and_cases_already_searched_alone(world):
    HUEY.flush()
    old = file_case(world, GARBAGE, HERE)
    searched = file_case(world, "楼道的路灯坏了，晚上很黑", NEAR)
    HUEY.flush()
    received_ago(old, 2 * 24 * 60)
    duplicates.flag_possible_duplicate(searched.pk)  # finds nothing, but the search ran
    received_ago(searched, 10)
    assert Case.objects.get(pk=searched.pk).duplicates_checked_at is not None
    assert duplicates.requeue_unchecked() == 0 and HUEY.pending_count() == 0
