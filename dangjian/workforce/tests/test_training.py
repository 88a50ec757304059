"""Training: a worker checks in by the session's QR code once; the organizer records a worker; the year's
hours follow; an expired or forged code is refused."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from dangjian.workforce.models import Attendance, TrainingYear
from dangjian.workforce.services import training


@pytest.fixture
def session(world):
    course = training.course_save(actor=None, area=world.district, name="党建大讲堂", kind="lecture", year=2024)
    return training.session_save(actor=None, course=course, title="基层治理", starts_at=timezone.now(), hours="2.5")


def token(session, now=None):
    return training.CHECKIN.make(kind="session", public_id=session.public_id, rotate_minutes=training.ROTATE_MINUTES,
                                 now=now)  # fmt: skip


def test_a_worker_checks_in_once_and_the_hours_follow(world, session, make_worker):
    w = make_worker(name="李华")
    w.user = world.users.community_worker
    w.save()
    first = training.checkin_scan(actor=world.users.community_worker, token=token(session))
    again = training.checkin_scan(actor=world.users.community_worker, token=token(session))
    assert first.created and not again.created
    session.refresh_from_db()
    assert session.attended == 1
    year = TrainingYear.objects.get(worker=w)
    assert (year.sessions, year.hours) == (1, 2.5)


def test_codes_that_are_old_forged_or_unlinked_are_refused(world, session, make_worker):
    old = timezone.now() - datetime.timedelta(minutes=3 * training.ROTATE_MINUTES)
    with pytest.raises(ValidationError):
        training.checkin_scan(actor=world.users.community_worker, token=token(session, old))
    with pytest.raises(ValidationError):
        training.checkin_scan(actor=world.users.community_worker, token=token(session) + "x")
    with pytest.raises(ValidationError):  # no worker record linked to the account
        training.checkin_scan(actor=world.users.community_worker, token=token(session))


def test_the_organizer_records_a_worker_in_scope(world, session, make_worker):
    w = make_worker(name="王芳")
    training.attendance_record(actor=world.users.district_admin, session=session, worker=w)
    assert Attendance.objects.get().method == "organizer"
    outsider = make_worker(area=world.c3, name="海虹")
    with pytest.raises(ValidationError):
        training.attendance_record(actor=world.users.subdistrict_admin, session=session, worker=outsider)


@pytest.mark.django_db(transaction=True)
def test_two_scans_racing_count_once(world, session, make_worker):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers; the race is decided by PostgreSQL's row locks")
    w = make_worker(name="李华")
    w.user = world.users.community_worker
    w.save()
    code = token(session)
    errors = []

    def scan():
        try:
            training.checkin_scan(actor=world.users.community_worker, token=code)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Attendance.objects.count() == 1
    assert TrainingYear.objects.get().sessions == 1
