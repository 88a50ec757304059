"""(PostgreSQL) the receipt lists are index walks at 100,000 receipts: a notice's list in each state, a
deep page by cursor, a recipient's 我的通知 and their 待签收 count."""

import pytest
from django.db import connection
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core.keyset import capped_count, cursor_of, seek_q
from dangjian.notices import selectors
from dangjian.notices.models import Notice, NoticeReceipt

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL")
NOTICES, USERS = 20, 5000


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _bulk(world) -> list[Notice]:
    User.objects.bulk_create([User(username=f"r{i:05d}", password="!") for i in range(USERS)], batch_size=2000)
    now = timezone.now()
    notices = Notice.objects.bulk_create(
        [
            Notice(
                area=world.c1,
                area_path=world.c1.path,
                issuer_name="婆石社区",
                issued_by=world.users.community_worker,
                title=f"通知{k}",
                body="b",
                audience="members",
                audience_area=world.c1,
                status="published",
                published_at=now,
                fanout_done_at=now,
            )  # fmt: skip
            for k in range(NOTICES)
        ]
    )
    with connection.cursor() as cursor:  # every notice to every user; a third unread, read, signed
        cursor.execute(
            """INSERT INTO notices_noticereceipt
               (notice_id, user_id, place, state, delivered_at, read_at, signed_at, reminder_count)
               SELECT n.id, u.id, '婆石社区', u.id %% 3, %s,
                      CASE WHEN u.id %% 3 > 0 THEN %s END, CASE WHEN u.id %% 3 = 2 THEN %s END, 0
               FROM notices_notice n CROSS JOIN accounts_user u WHERE u.username LIKE 'r%%'""",
            [now, now, now],
        )
        cursor.execute("ANALYZE notices_noticereceipt")
    return notices


@postgres_only
@pytest.mark.django_db
def test_the_receipt_lists_are_index_walks_at_100k_receipts(world):
    notices = _bulk(world)
    assert NoticeReceipt.objects.count() == NOTICES * USERS
    notice = notices[7]
    plans = {}
    for show in ("", *selectors.RECEIPT_FILTERS):
        qs = selectors.receipts(notice, show=show)
        plans[("page", show)] = _plan(qs.order_by(*selectors.RECEIPT_ORDERING).values("pk")[:21])
    every = selectors.receipts(notice)
    row = every.order_by(*selectors.RECEIPT_ORDERING)[3000]
    values = [getattr(row, term.lstrip("-")) for term in selectors.RECEIPT_ORDERING]
    deep = every.filter(seek_q(selectors.RECEIPT_ORDERING, values)).order_by(*selectors.RECEIPT_ORDERING)
    plans[("deep", "")] = _plan(deep.values("pk")[:21])
    assert cursor_of(row, selectors.RECEIPT_ORDERING)
    user = User.objects.get(username="r00042")
    mine = selectors.my_receipts(user)
    plans[("mine", "")] = _plan(mine.order_by(*selectors.MINE_ORDERING).values("pk")[:21])
    plans[("todo", "")] = _plan(selectors.unsigned_receipts(user).values("pk")[:100])
    assert capped_count(selectors.unsigned_receipts(user), 99) == (0 if user.pk % 3 == 2 else NOTICES)
    seq = {key: plan for key, plan in plans.items() if "Seq Scan on notices_noticereceipt" in plan}
    assert not seq, seq
    assert all("Index" in plan for plan in plans.values()), plans
