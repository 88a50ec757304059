"""Two people (or two workers) at once, on real connections: one receipt signed once, one fan-out's
receipts written once, one reminder an hour."""

import pytest

from dangjian.core.testing import run_at_once
from dangjian.notices import services
from dangjian.notices.models import Notice, NoticeReceipt
from dangjian.notifications.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_taps_sign_once(world, members, published):
    m0 = members.c1[0]
    results = run_at_once(
        lambda: services.receipt_sign(actor=m0, notice=published),
        lambda: services.receipt_sign(actor=m0, notice=published),
    )
    assert sorted(value for _kind, value in results) == [False, True], results
    notice = Notice.objects.get(pk=published.pk)
    assert (notice.read_count, notice.signed_count) == (1, 1)


def test_two_runs_of_one_fanout_write_each_receipt_once(world, members, draft):
    notice = services.notice_publish(actor=world.users.community_worker, notice=draft)
    results = run_at_once(lambda: services.fanout_run(notice.pk), lambda: services.fanout_run(notice.pk))
    assert all(kind == "ok" for kind, _value in results), results
    assert sum(value for _kind, value in results) == 3
    assert NoticeReceipt.objects.filter(notice=notice).count() == 3
    assert Message.objects.filter(object_key=f"notice:{notice.public_id}").count() == 3
    assert Notice.objects.get(pk=notice.pk).recipient_count == 3


def test_two_reminders_at_once_send_one(world, members, published):
    worker, colleague = world.users.community_worker, world.users.community_worker_colleague
    results = run_at_once(
        lambda: services.notice_remind(actor=worker, notice=published),
        lambda: services.notice_remind(actor=colleague, notice=published),
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    assert set(NoticeReceipt.objects.filter(notice=published).values_list("reminder_count", flat=True)) == {1}
