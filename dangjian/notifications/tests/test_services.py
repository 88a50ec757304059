"""notify(): one message per person in the caller's transaction, collapsed per (person, event, object),
muted kinds skipped, the actor never told; mark read; preferences."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from dangjian.conftest import make_user
from dangjian.notifications import services
from dangjian.notifications.models import Message, Preference

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return [make_user(f"p{i}") for i in range(4)]


def tell(recipients, **kw):
    defaults = {"event": "cases.case.dispatch", "title": "事件 C1：派单", "object_key": "cases.case:1"}
    return services.notify(recipients=recipients, **{**defaults, **kw})


def test_it_writes_one_message_per_recipient_and_accepts_users_or_ids(people):
    a, b, c, _d = people
    assert tell([a, b.pk, c, a, None], body="请今日处置", url="/cases/x/") == 3
    rows = Message.objects.order_by("recipient_id")
    assert [m.recipient_id for m in rows] == [a.pk, b.pk, c.pk]
    assert {(m.title, m.body, m.url, m.read_at) for m in rows} == {("事件 C1：派单", "请今日处置", "/cases/x/", None)}


def test_it_never_tells_the_actor_of_their_own_act(people):
    a, b, *_ = people
    assert tell([a, b], actor=a) == 1
    assert list(Message.objects.values_list("recipient_id", "actor_label")) == [(b.pk, a.full_name)]


def test_a_repeat_collapses_into_the_same_message_and_makes_it_unread_again(people):
    a, b, *_ = people
    tell([a, b], body="第一次")
    Message.objects.update(read_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    assert tell([a], body="第二次") == 1
    assert Message.objects.count() == 2
    again = Message.objects.get(recipient=a)
    assert again.body == "第二次" and again.read_at is None
    assert Message.objects.get(recipient=b).read_at is not None
    # Another step on the same object, or the same step on another object, is a message of its own.
    tell([a], event="cases.case.close")
    tell([a], object_key="cases.case:2")
    assert Message.objects.filter(recipient=a).count() == 3


def test_messages_about_nothing_never_collapse(people):
    a, *_ = people
    tell([a], object_key="")
    tell([a], object_key="")
    assert Message.objects.filter(recipient=a).count() == 2


def test_muted_kinds_and_events_are_skipped(people):
    a, b, c, d = people
    Preference.objects.create(user=a, muted=["cases.case"])
    Preference.objects.create(user=b, muted=["cases.case.warn"])
    Preference.objects.create(user=c, muted=["demands.demand"])
    assert tell([a, b, c, d]) == 3
    assert tell([a, b, c, d], event="cases.case.warn", object_key="cases.case:9") == 2
    assert set(Message.objects.filter(event="cases.case.warn").values_list("recipient_id", flat=True)) == {c.pk, d.pk}


def test_it_writes_in_the_callers_transaction(people):
    def notify_then_fail():
        with transaction.atomic():
            tell(people)
            raise RuntimeError("the step failed after notifying")

    with pytest.raises(RuntimeError):
        notify_then_fail()
    assert not Message.objects.exists()


def test_it_writes_thousands_of_recipients_in_batches(db, django_assert_max_num_queries):
    User = get_user_model()
    User.objects.bulk_create([User(username=f"bulk{i}") for i in range(2500)])
    ids = list(User.objects.filter(username__startswith="bulk").values_list("pk", flat=True))
    Preference.objects.create(user_id=ids[7], muted=["notices.notice"])
    # Per batch of 1,000: one read of muted preferences and the insert (which SQLite splits further by
    # its limit of parameters a statement); nothing per recipient.
    fields = [f for f in Message._meta.concrete_fields if not f.primary_key]
    inserts = sum(-(-n // connection.ops.bulk_batch_size(fields, [None] * n)) for n in (1000, 1000, 499))
    with django_assert_max_num_queries(3 + inserts):
        written = services.notify(recipients=ids, event="notices.notice.issue", title="关于开展主题党日的通知")
    assert written == 2499 == Message.objects.count()


def test_it_refuses_a_message_without_event_or_title(people):
    with pytest.raises(ValueError):
        services.notify(recipients=people, event="", title="x")
    with pytest.raises(ValueError):
        services.notify(recipients=people, event="x.y.z", title="")


def test_mark_read_and_mark_all_read_touch_only_the_owners_unread_messages(people):
    a, b, *_ = people
    tell([a, b])
    tell([a], event="demands.demand.claim", object_key="demands.demand:1")
    mine = Message.objects.get(recipient=a, event="cases.case.dispatch")
    assert services.mark_read(user=a, message=mine) is True
    assert services.mark_read(user=a, message=mine) is False
    with pytest.raises(ValidationError):
        services.mark_read(user=b, message=mine)
    assert services.mark_all_read(user=a, kind="cases.case") == 0
    assert services.mark_all_read(user=a) == 1
    assert Message.objects.filter(recipient=b, read_at__isnull=True).count() == 1


def test_preferences_are_saved_and_checked(people):
    a, *_ = people
    assert services.preference_of(a).sms is True  # the default without a row
    pref = services.preference_save(
        user=a,
        muted=["cases.case", "cases.case"],
        sms=False,
        wechat=True,
        quiet_start=datetime.time(22),
        quiet_end=datetime.time(7),
    )
    assert pref.muted == ["cases.case"] and not pref.sms
    with pytest.raises(ValidationError, match="同时填写"):
        services.preference_save(user=a, muted=[], sms=True, wechat=True, quiet_start=datetime.time(22), quiet_end=None)
    with pytest.raises(ValidationError, match="不能相同"):
        services.preference_save(
            user=a, muted=[], sms=True, wechat=True, quiet_start=datetime.time(22), quiet_end=datetime.time(22)
        )
    assert Preference.objects.get(user=a).sms is False  # the refused saves changed nothing
