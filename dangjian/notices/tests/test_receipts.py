import datetime

import pytest
from django.core.exceptions import ValidationError

from dangjian.core import integrity
from dangjian.notices import services
from dangjian.notices.models import Notice, NoticeReceipt, ReceiptState
from dangjian.notifications.models import Message

pytestmark = pytest.mark.django_db


def test_signing_is_idempotent_and_counts_once(world, members, published):
    m0 = members.c1[0]
    assert services.receipt_sign(actor=m0, notice=published) is True
    assert services.receipt_sign(actor=m0, notice=published) is False  # a second tap, a retry
    published.refresh_from_db()
    assert (published.recipient_count, published.read_count, published.signed_count) == (3, 1, 1)
    receipt = NoticeReceipt.objects.get(notice=published, user=m0)
    assert receipt.state == ReceiptState.SIGNED and receipt.read_at is not None


def test_reading_then_signing_counts_the_read_once(world, members, published):
    m1 = members.c1[1]
    services.receipt_read(actor=m1, notice=published)
    services.receipt_read(actor=m1, notice=published)
    published.refresh_from_db()
    assert (published.read_count, published.signed_count) == (1, 0)
    services.receipt_sign(actor=m1, notice=published)
    published.refresh_from_db()
    assert (published.read_count, published.signed_count) == (1, 1)


def test_a_sign_that_lost_the_race_changes_nothing(world, members, published):
    """Two taps read the receipt unsigned; the second one's conditional update finds it signed."""
    m0 = members.c1[0]
    receipt = NoticeReceipt.objects.get(notice=published, user=m0)
    services.receipt_sign(actor=m0, notice=published)
    # The loser's update, as it runs after the winner's commit:
    assert NoticeReceipt.objects.filter(pk=receipt.pk, signed_at__isnull=True).update(state=2) == 0
    assert services.receipt_sign(actor=m0, notice=published) is False
    published.refresh_from_db()
    assert published.signed_count == 1


def test_only_recipients_sign(world, members, published):
    with pytest.raises(ValidationError, match="不是该通知的接收人"):
        services.receipt_sign(actor=members.c3[0], notice=published)


def test_a_withdrawn_notice_cannot_be_signed(world, members, published):
    services.notice_withdraw(actor=world.users.community_worker, notice=published, note="重复发布")
    published.refresh_from_db()
    with pytest.raises(ValidationError, match="已撤回"):
        services.receipt_sign(actor=members.c1[0], notice=published)


def test_reminding_tells_only_the_unsigned_once_an_hour(world, members, published):
    services.receipt_sign(actor=members.c1[0], notice=published)
    assert services.notice_remind(actor=world.users.community_worker, notice=published) == 2
    reminded = Message.objects.filter(event=services.EVENT_REMIND).values_list("recipient__username", flat=True)
    assert sorted(reminded) == ["m1", "m2"]
    assert NoticeReceipt.objects.get(notice=published, user=members.c1[0]).reminder_count == 0
    assert NoticeReceipt.objects.get(notice=published, user=members.c1[1]).reminder_count == 1
    with pytest.raises(ValidationError, match="每小时最多提醒一次"):
        services.notice_remind(actor=world.users.community_worker, notice=published)
    earlier = published.reminded_at or Notice.objects.get(pk=published.pk).reminded_at
    Notice.objects.filter(pk=published.pk).update(reminded_at=earlier - datetime.timedelta(minutes=61))
    assert services.notice_remind(actor=world.users.community_worker, notice=published) == 2
    assert NoticeReceipt.objects.get(notice=published, user=members.c1[1]).reminder_count == 2


def test_a_draft_checks_its_fields_and_scope(world, members):
    with pytest.raises(ValidationError) as caught:
        services.notice_create(
            actor=world.users.community_worker,
            title=" ",
            body="",
            audience="members",
            audience_area=world.c3,  # another community
            receipt_deadline=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
        )
    errors = caught.value.message_dict
    assert set(errors) == {"title", "body", "audience_area", "receipt_deadline"}
    assert "婆石社区" in errors["audience_area"][0]
    with pytest.raises(ValidationError, match="不能发布通知"):
        services.notice_create(
            actor=world.users.member, title="t", body="b", audience="members", audience_area=world.c1
        )
    assert not Notice.objects.exists()


def test_attachments_are_checked_by_their_bytes(world, members):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("通知.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="不是 PDF"):
        services.notice_create(
            actor=world.users.community_worker, title="t", body="b", audience="members",
            audience_area=world.c1, attachments=[fake],
        )  # fmt: skip
    pdf = SimpleUploadedFile("通知.pdf", b"%PDF-1.4\n%%EOF", content_type="application/octet-stream")
    notice = services.notice_create(
        actor=world.users.community_worker, title="t", body="b", audience="members",
        audience_area=world.c1, attachments=[pdf],
    )  # fmt: skip
    assert [(a.name, a.kind) for a in notice.attachments.all()] == [("通知.pdf", "pdf")]


def test_integrity_holds_and_finds_drift(world, members, published):
    services.receipt_sign(actor=members.c1[0], notice=published)
    names = ("notices.workflow", "notices.receipts", "notices.withdrawn", "notices.fanout")
    results = {r.check.name: r for r in integrity.run(names)}
    assert all(results[n].ok for n in names), {n: (results[n].findings, results[n].error) for n in names}
    Notice.objects.filter(pk=published.pk).update(signed_count=0)
    results = {r.check.name: r for r in integrity.run(["notices.receipts"])}
    assert results["notices.receipts"].count == 1
