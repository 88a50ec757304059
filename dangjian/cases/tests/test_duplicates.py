"""Possible duplicates: near, recent, open, same grid, and saying the same thing.

The search runs on the queue after the submit commits. Here the on-commit callbacks are run as the
commit would run them and the queue runs tasks at once (`report`), except in the tests of the queue
itself, which put the task on the real queue and execute it as a consumer does.
"""

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from dangjian.cases import duplicates
from dangjian.cases.intake.services import case_submit
from dangjian.cases.models import Case, CaseCategory, CaseLog, CasePolicy, CaseStatus, Channel
from dangjian.cases.tasks import case_duplicate_check

GARBAGE = "中珠新村门口的垃圾堆了好几天没人清理，臭味很大"
GARBAGE_AGAIN = "小区门口垃圾堆积多日无人清理，很臭"
LIGHT = "中珠新村1栋楼道的路灯坏了，晚上很黑"
# About 40 m apart, both in grid g1a; ~440 m east is still g1a; g1b starts at lng 113.51.
HERE = (22.2050, 113.5050)
NEAR = (22.2053, 113.5052)
FAR_SAME_GRID = (22.2050, 113.5093)
NEXT_GRID = (22.2050, 113.5105)


@pytest.fixture
def queue_at_once():
    was = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = was


@pytest.fixture
def submit(queue_at_once, django_capture_on_commit_callbacks):
    """case_submit, then what its commit sets off (the queued duplicate search); the case re-read."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            case = case_submit(**kwargs)
        case.refresh_from_db()
        return case

    return run


@pytest.fixture
def report(world, submit):
    def run(text, where, **kwargs):
        return submit(
            actor=world.users.resident,
            channel=Channel.PHONE,
            category=CaseCategory.objects.get(code=kwargs.pop("code", "garbage")),
            description=text,
            lat=where[0],
            lng=where[1],
            **kwargs,
        )

    return run


def test_it_measures_distance_on_the_sphere():
    # One thousandth of a degree of latitude is about 111 m anywhere.
    assert duplicates.haversine_m(22.0, 113.0, 22.001, 113.0) == pytest.approx(111.2, abs=0.5)
    assert duplicates.haversine_m(*HERE, *NEAR) == pytest.approx(39, abs=3)


def test_it_scores_the_same_problem_in_other_words_high_and_another_problem_low():
    assert duplicates.similarity(GARBAGE, GARBAGE_AGAIN) >= 0.5
    assert duplicates.similarity("楼上装修噪音很大，晚上十点还在施工", "楼上噪音扰民，晚上施工装修") >= 0.5
    assert duplicates.similarity(GARBAGE, LIGHT) < 0.2
    # The estate's name alone does not make two problems alike.
    assert duplicates.similarity("中珠新村1栋楼道灯坏了", "中珠新村3栋电梯坏了经常停") < 0.5
    assert duplicates.similarity("", GARBAGE) == 0.0
    assert "，" not in duplicates.features(GARBAGE) and "的" not in duplicates.features(GARBAGE)


def test_it_flags_a_near_similar_open_case_and_logs_it(world, report):
    first = report(GARBAGE, HERE)
    second = report(GARBAGE_AGAIN, NEAR)
    assert second.possible_duplicate_of == first
    note = CaseLog.objects.get(case=second, public=False).note
    assert f"疑似与 {first.number} 重复" in note
    assert first.possible_duplicate_of is None


def test_it_picks_the_most_similar_candidate(world, report):
    close = report(GARBAGE, HERE)
    report("门口垃圾没人清理", NEAR)
    third = report(GARBAGE, NEAR)
    assert third.possible_duplicate_of == close


@pytest.mark.parametrize(
    ("where", "text"),
    [
        (FAR_SAME_GRID, GARBAGE_AGAIN),  # same grid, beyond the radius
        (NEAR, LIGHT),  # near, another problem
        (NEXT_GRID, GARBAGE_AGAIN),  # a few metres over the grid border
    ],
    ids=["far", "dissimilar", "other-grid"],
)
def test_it_does_not_flag_far_dissimilar_or_other_grid_cases(world, report, where, text):
    first = report(GARBAGE, HERE)
    second = report(text, where)
    assert second.grid_id is not None
    assert second.possible_duplicate_of is None, (first.number, second.grid.name)


def test_it_ignores_finished_and_old_cases(world, report):
    done = report(GARBAGE, HERE)
    Case.objects.filter(pk=done.pk).update(status=CaseStatus.ARCHIVED)
    old = report(GARBAGE, HERE)
    Case.objects.filter(pk=old.pk).update(received_at=timezone.now() - timezone.timedelta(days=31))
    fresh = report(GARBAGE_AGAIN, NEAR)
    assert fresh.possible_duplicate_of is None


def test_it_follows_the_districts_policy(world, report):
    CasePolicy.objects.create(district=world.district, duplicate_radius_m=20, duplicate_similarity=0.95)
    first = report(GARBAGE, HERE)
    too_far = report(GARBAGE_AGAIN, NEAR)
    assert too_far.possible_duplicate_of is None  # 40 m > 20 m
    Case.objects.filter(pk=too_far.pk).update(status=CaseStatus.MERGED)  # out of the way of the next ones
    policy = CasePolicy.objects.get()
    policy.duplicate_radius_m = 500
    policy.save()
    not_alike = report(GARBAGE_AGAIN, NEAR)
    assert not_alike.possible_duplicate_of is None  # not 95 % alike
    Case.objects.filter(pk=not_alike.pk).update(status=CaseStatus.MERGED)
    assert report(GARBAGE, NEAR).possible_duplicate_of == first


def test_it_compares_a_desk_case_without_a_point_within_its_grid(world, report, submit):
    first = report(GARBAGE, HERE)
    by_phone = submit(
        actor=world.users.community_worker,
        channel=Channel.HOTLINE,
        category=CaseCategory.objects.get(code="garbage"),
        description=GARBAGE_AGAIN,
        grid=world.g1a,
    )
    assert by_phone.possible_duplicate_of == first
    parked = submit(
        actor=world.users.community_worker,
        channel=Channel.HOTLINE,
        category=CaseCategory.objects.get(code="garbage"),
        description=GARBAGE_AGAIN,
        area=world.c1,
    )
    assert parked.possible_duplicate_of is None  # no grid, no neighbourhood to compare with


# --- on the real queue ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # a real commit; the consumer closes its connection after a task
def test_the_search_waits_for_the_commit_and_runs_on_the_queue(world):
    HUEY.flush()
    assert not HUEY.immediate
    kwargs = {
        "actor": world.users.resident,
        "channel": Channel.PHONE,
        "category": CaseCategory.objects.get(code="garbage"),
    }
    first = case_submit(description=GARBAGE, lat=HERE[0], lng=HERE[1], **kwargs)
    HUEY.execute(HUEY.dequeue())  # the first case's own search: nothing to flag
    second = case_submit(description=GARBAGE_AGAIN, lat=NEAR[0], lng=NEAR[1], **kwargs)
    # The submit answered without the search: the case is written, the flag is not there yet.
    assert Case.objects.get(pk=second.pk).possible_duplicate_of is None
    assert HUEY.pending_count() == 1
    task = HUEY.dequeue()
    assert task.name.endswith("case_duplicate_check") and task.args == (second.pk,)
    HUEY.execute(task)
    assert Case.objects.get(pk=second.pk).possible_duplicate_of_id == first.pk
    assert f"疑似与 {first.number} 重复" in CaseLog.objects.get(case=second, public=False).note
    # A retried task writes nothing twice.
    assert case_duplicate_check.call_local(second.pk) == ""
    assert CaseLog.objects.filter(case=second, public=False).count() == 1
    assert HUEY.pending_count() == 0


def submit_and_fail(world):
    from django.db import transaction

    with transaction.atomic():
        case_submit(
            actor=world.users.resident,
            channel=Channel.PHONE,
            category=CaseCategory.objects.get(code="garbage"),
            description=GARBAGE,
            lat=HERE[0],
            lng=HERE[1],
        )
        raise RuntimeError("the caller's transaction fails after the submit")


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_submit_queues_nothing(world):
    HUEY.flush()
    with pytest.raises(RuntimeError):
        submit_and_fail(world)
    assert not Case.objects.exists() and HUEY.pending_count() == 0


def test_a_queue_that_cannot_take_the_search_costs_the_flag_not_the_case(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from dangjian.cases import tasks

    def broken(case_id):
        raise ConnectionError("queue down")

    monkeypatch.setattr(tasks, "case_duplicate_check", broken)
    category = CaseCategory.objects.get(code="garbage")
    with django_capture_on_commit_callbacks(execute=True):
        case = case_submit(
            actor=world.users.resident,
            channel=Channel.PHONE,
            category=category,
            description=GARBAGE,
            lat=HERE[0],
            lng=HERE[1],
        )
    assert Case.objects.filter(pk=case.pk, possible_duplicate_of__isnull=True).exists()
