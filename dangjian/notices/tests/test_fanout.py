import pytest
from django.db.models import Count

from dangjian.notices import services, tasks
from dangjian.notices.models import Notice, NoticeReceipt
from dangjian.notifications.models import Message

pytestmark = pytest.mark.django_db


def test_it_writes_one_receipt_and_one_message_per_recipient(world, members, published):
    receipts = NoticeReceipt.objects.filter(notice=published)
    assert sorted(receipts.values_list("user__username", flat=True)) == ["m0", "m1", "m2"]
    assert set(receipts.values_list("place", flat=True)) == {"婆石社区"}
    messages = Message.objects.filter(event=services.EVENT_PUBLISH, object_key=f"notice:{published.public_id}")
    assert sorted(messages.values_list("recipient__username", flat=True)) == ["m0", "m1", "m2"]
    assert published.recipient_count == 3 and published.fanout_total == 3
    assert published.fanout_done_at is not None


def test_it_writes_nothing_twice_when_the_fanout_runs_again(world, members, published):
    assert services.fanout_run(published.pk) == 0
    Notice.objects.filter(pk=published.pk).update(fanout_done_at=None, fanout_cursor=0)  # as if it died
    assert services.fanout_run(published.pk) == 0
    per_user = NoticeReceipt.objects.filter(notice=published).values("user").annotate(n=Count("pk"))
    assert [row["n"] for row in per_user] == [1, 1, 1]
    assert Message.objects.filter(event=services.EVENT_PUBLISH).values("recipient").distinct().count() == 3
    assert Message.objects.filter(event=services.EVENT_PUBLISH).count() == 3
    published.refresh_from_db()
    assert published.recipient_count == 3


def test_a_fanout_that_died_half_way_is_finished_by_the_sweep(world, members, draft, monkeypatch):
    notice = services.notice_publish(actor=world.users.community_worker, notice=draft)
    assert services.fanout_batch(notice.pk, size=2) == 2  # then the worker dies
    notice.refresh_from_db()
    assert notice.recipient_count == 2 and notice.fanout_running
    Notice.objects.filter(pk=notice.pk).update(updated_at=notice.updated_at - services.FANOUT_STALE * 2)
    queued = []
    real = tasks.notice_fanout
    monkeypatch.setattr(tasks, "notice_fanout", queued.append)  # what the sweep puts on the queue
    assert tasks.notice_fanout_sweep.call_local() == 1
    monkeypatch.setattr(tasks, "notice_fanout", real)
    assert queued == [notice.pk]
    assert tasks.notice_fanout.call_local(notice.pk) == 1
    notice.refresh_from_db()
    assert notice.recipient_count == 3 and not notice.fanout_running
    assert NoticeReceipt.objects.filter(notice=notice).count() == 3


def test_a_withdrawn_notice_stops_its_fanout(world, members, draft, django_capture_on_commit_callbacks):
    notice = services.notice_publish(actor=world.users.community_worker, notice=draft)
    services.fanout_batch(notice.pk, size=1)
    services.notice_withdraw(actor=world.users.community_worker, notice=notice, note="内容有误")
    assert services.fanout_run(notice.pk) == 0
    assert NoticeReceipt.objects.filter(notice=notice).count() == 1


def test_publishing_queues_the_fanout_after_commit(
    world, members, draft, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(tasks, "notice_fanout", calls.append)
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_publish(actor=world.users.community_worker, notice=draft)
    assert calls == [draft.pk]


@pytest.mark.parametrize(
    ("audience", "area", "expected"),
    [
        ("community_workers", "s1", {"sq1", "sq1b"}),
        ("community_workers", "district", {"sq1", "sq1b", "sq3"}),
        ("registered_members", "district", {"m0", "m1", "m2", "m_c3"}),
        ("members", "c3", {"m_c3"}),
        ("branch_secretaries", "s1", {"sec"}),
    ],
)
def test_each_audience_reaches_the_accounts_tied_to_the_node(world, members, audience, area, expected):
    from dangjian.accounts.services import role_assign
    from dangjian.conftest import make_user
    from dangjian.notices import audience as audiences

    secretary = make_user("sec")
    assignment = role_assign(actor=None, user=secretary, role="party_member", org=world.ub, home_community=world.c1)
    type(assignment).objects.filter(pk=assignment.pk).update(is_secretary=True)
    rows = audiences.batch(audience, getattr(world, area), after=0, size=100)
    from dangjian.accounts.models import User

    names = set(User.objects.filter(pk__in=[uid for uid, _p in rows]).values_list("username", flat=True))
    assert names == expected
    assert audiences.count(audience, getattr(world, area)) == len(expected)
