"""One notice to every member of a district: the time to publish it (enqueue), to fan it out (receipts
and in-app messages, batch by batch) and to deliver its SMS through the console backend.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_hnotices_bench \\
        .venv/bin/python bench/notices_fanout.py [--size small|city|province] [--members N]

Sizes (members with an account / communities): small 300 / 3 (seconds, SQLite: make bench);
city 10,000 / 50; province 30,000 / 200 (the issue's figure: one notice to 30,000 members). SQLite
unless DATABASE_URL is set (var/bench_notices_<size>.sqlite3). Migrates, then builds once: a district,
a subdistrict, the communities, a committee per community, members with accounts (bulk inserts). Each
run issues one new notice as the district to 所辖党组织的党员 and times:

- publish: notices.services.notice_publish (counts the audience, takes the step, queues the fan-out);
- fanout: notices.services.fanout_run (receipts and messages, FANOUT_BATCH a transaction);
- deliver: the message centre's outside fan-out and the console SMS backend's sends, run in this
  process (Huey immediate), output discarded.

Prints one figure a line; asserts nothing but prints the counts it checks (receipts = messages =
recipients, SMS sent).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import time

from _setup import add_size_argument, describe_db, line, quiet_debug, setup_django, sized


def build(members: int, communities: int) -> None:
    from dangjian.accounts.models import User
    from dangjian.orgs.services import org_create
    from dangjian.people.models import Member
    from dangjian.territory.services import area_create

    district = area_create(actor=None, level="district", name="基准区", parent=None, code="990001")
    sub = area_create(actor=None, level="subdistrict", name="基准街道", parent=district, code="990001001")
    root = org_create(actor=None, org_type="district_committee", name="基准区委", parent=None, area=district)
    wc = org_create(actor=None, org_type="working_committee", name="基准街道党工委", parent=root, area=sub)
    orgs = []
    for k in range(communities):
        community = area_create(actor=None, level="community", name=f"基准{k + 1}社区", parent=sub)
        orgs.append((org_create(actor=None, org_type="community_committee", name=f"基准{k + 1}社区党委",
                                parent=wc, area=community), community))  # fmt: skip
    User.objects.create(username="bench_admin", full_name="基准管理员", password="!")
    step = 5000
    for start in range(0, members, step):
        n = range(start, min(members, start + step))
        users = User.objects.bulk_create(
            [User(username=f"bm{i:07d}", full_name=f"党员{i}", mobile=f"139{i:08d}", password="!") for i in n]
        )
        Member.objects.bulk_create(
            [
                Member(
                    name=u.full_name,
                    org=orgs[i % communities][0],
                    home_community=orgs[i % communities][1],
                    status="in_service",
                    user=u,
                )  # fmt: skip
                for i, u in zip(n, users, strict=True)
            ]
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_size_argument(parser)
    parser.add_argument("--members", type=int)
    args = parser.parse_args()
    os.environ.setdefault("HUEY_FILE", f"bench_notices_{args.size}_huey.sqlite3")
    setup_django(f"bench_notices_{args.size}.sqlite3")
    quiet_debug()
    from django.core.management import call_command
    from django.urls import reverse
    from huey.contrib.djhuey import HUEY

    from dangjian.accounts.models import User
    from dangjian.notices import services
    from dangjian.notices.models import Notice, NoticeReceipt
    from dangjian.notifications import delivery
    from dangjian.notifications.models import Delivery, DeliveryStatus, Message
    from dangjian.territory.models import Area

    members = args.members or sized(args.size, 300, 10_000, 30_000)
    communities = sized(args.size, 3, 50, 200)
    call_command("migrate", verbosity=0)
    reverse("notices:mine")  # a worker has its URLs loaded: keep their first import out of the timings
    line("database", describe_db())
    if not Area.objects.filter(code="990001").exists():
        started = time.perf_counter()
        build(members, communities)
        line("build", round(time.perf_counter() - started, 1), "s")
    district = Area.objects.get(code="990001")
    admin = User.objects.get(username="bench_admin")
    HUEY.immediate = False
    notice = services.notice_create(
        actor=None, issuer=district, issued_by=admin, title="关于做好年度党员信息采集的通知",
        body="请各位党员于月底前在手机上核对个人信息。", audience="members", audience_area=district,
    )  # fmt: skip

    started = time.perf_counter()
    notice = services.notice_publish(actor=None, notice=notice)
    line("publish (enqueue)", round((time.perf_counter() - started) * 1000, 1), "ms")
    line("recipients", notice.fanout_total)

    started = time.perf_counter()
    written = services.fanout_run(notice.pk)
    elapsed = time.perf_counter() - started
    line("fanout receipts+messages", round(elapsed, 2), "s")
    line("fanout rate", round(written / elapsed) if elapsed else 0, "recipients/s")
    key = f"notice:{notice.public_id}"
    message_ids = list(Message.objects.filter(object_key=key).values_list("pk", flat=True))
    line("receipts", NoticeReceipt.objects.filter(notice=notice).count())
    line("messages", len(message_ids))
    HUEY.flush()  # the fan-out tasks queued after each batch: run below, in this process

    HUEY.immediate = True
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        for i in range(0, len(message_ids), delivery.FAN_OUT_CHUNK):
            delivery.fan_out(message_ids[i : i + delivery.FAN_OUT_CHUNK])
    elapsed = time.perf_counter() - started
    sent = Delivery.objects.filter(message_id__in=message_ids, status=DeliveryStatus.SENT, channel="sms").count()
    line("deliver console sms", round(elapsed, 2), "s")
    line("deliver rate", round(sent / elapsed) if elapsed else 0, "sms/s")
    line("sms sent", sent)
    line("notices in database", Notice.objects.count())


if __name__ == "__main__":
    main()
