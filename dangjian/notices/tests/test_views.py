"""The pages: scope (owner, colleague, outsider 404), query counts of the lists, the issuer's journey by
form, 签收 on the phone (idempotent), the export, public notices on the phone home and /nearby/."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.notices import services
from dangjian.notices.models import Notice, NoticeReceipt, NoticeStatus

pytestmark = pytest.mark.django_db


def issuer_urls(notice):
    return [
        reverse(name, args=[notice.public_id])
        for name in ("notices:detail", "notices:progress", "notices:export", "notices:withdraw")
    ]


def test_the_notice_its_receipts_and_export_are_scoped(world, members, published, assert_scoped):
    u = world.users
    for url in issuer_urls(published):
        assert_scoped(
            url, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider
        )
        assert_scoped(url, owner=u.district_admin, outsider=u.subdistrict_admin_outsider)
    assert_scoped(
        reverse("notices:detail", args=[published.public_id]) + "?show=unsigned",
        owner=u.community_worker_colleague,
        outsider=members.c1[0],  # a recipient is not the issuer
    )


def test_a_recipient_reads_their_own_and_nobody_elses(world, members, published, assert_scoped):
    url = reverse("notices:read", args=[published.public_id])
    assert_scoped(url, owner=members.c1[0], colleague=members.c1[1], outsider=members.c3[0])
    assert_scoped(url, owner=members.c1[2], outsider=world.users.community_worker)


def test_issuing_by_form_then_publishing_with_confirmation(world, members, login, django_capture_on_commit_callbacks):
    client = login(world.users.community_worker)
    page = client.get(reverse("notices:new")).content.decode()
    assert "以「婆石社区」的名义发布" in page and "海虹社区" not in page  # the picker stays in scope
    bad = client.post(reverse("notices:new"), {"title": "", "body": "x", "audience": "members",
                                               "audience_area": world.c1.pk})  # fmt: skip
    assert bad.status_code == 200 and "这个字段是必填项" in bad.content.decode()
    response = client.post(
        reverse("notices:new"),
        {"title": "防台风通知", "body": "<b>今晚</b>有台风", "audience": "registered_members",
         "audience_area": world.c1.pk},
    )  # fmt: skip
    notice = Notice.objects.get()
    assert response["Location"] == reverse("notices:publish", args=[notice.public_id])
    confirm = client.get(response["Location"]).content.decode()
    assert "共 3 人" in confirm and "&lt;b&gt;今晚&lt;/b&gt;" in confirm
    assert notice.status == NoticeStatus.DRAFT and not NoticeReceipt.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        client.post(response["Location"])
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PUBLISHED and notice.fanout_total == 3
    services.fanout_run(notice.pk)
    detail = client.get(notice.get_absolute_url()).content.decode()
    assert 'data-testid="count-all">3<' in detail and "m0" in detail


def test_reminding_from_the_page(world, members, published, login):
    client = login(world.users.community_worker)
    url = reverse("notices:remind", args=[published.public_id])
    assert "已提醒 3 位" in client.post(url, follow=True).content.decode()
    assert "每小时最多提醒一次" in client.post(url, follow=True).content.decode()


def test_withdrawing_asks_for_a_reason(world, members, published, login):
    client = login(world.users.community_worker)
    url = reverse("notices:withdraw", args=[published.public_id])
    assert "请填写撤回原因" in client.get(url).content.decode() or "撤回原因" in client.get(url).content.decode()
    assert client.post(url, {"note": ""}).status_code == 200
    client.post(url, {"note": "内容有误"})
    published.refresh_from_db()
    assert published.status == NoticeStatus.WITHDRAWN
    member = login(members.c1[0])
    assert published.title not in member.get(reverse("notices:mine")).content.decode()
    assert "该通知已撤回" in member.get(reverse("notices:read", args=[published.public_id])).content.decode()


def test_the_export_lists_the_unsigned_masked_and_audited(world, members, published, login):
    services.receipt_sign(actor=members.c1[0], notice=published)
    type(members.c1[1]).objects.filter(pk=members.c1[1].pk).update(mobile="13912345678")
    client = login(world.users.community_worker)
    response = client.get(reverse("notices:export", args=[published.public_id]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("姓名", "所在单位", "手机号")
    assert sorted(r[0] for r in rows[1:]) == ["m1", "m2"]
    assert {r[0]: r[2] for r in rows[1:]} == {"m1": "139****5678", "m2": None}
    assert AuditEvent.objects.filter(action="export", object_type="notices.receipts").count() == 1


def test_lists_cost_a_bounded_number_of_queries(world, members, published, count_queries):
    more = [f"m{i}" for i in range(3, 40)]
    from dangjian.notices.tests.conftest import member_with_account

    for name in more:
        member_with_account(name, world.eb, world.c1)
    notice = services.notice_create(actor=world.users.community_worker, title="第二份", body="b",
                                    audience="registered_members", audience_area=world.c1)  # fmt: skip
    services.notice_publish(actor=world.users.community_worker, notice=notice)
    services.fanout_run(notice.pk)
    urls = [
        reverse("notices:list"),
        notice.get_absolute_url(),
        notice.get_absolute_url() + "?show=unsigned",
        notice.get_absolute_url() + "?page=2",
    ]
    counts = {url: count_queries(world.users.community_worker, url) for url in urls}
    # The page's rows by key, the counts from the notice's counters: the same few queries at any size.
    assert max(counts.values()) <= 7, counts
    assert count_queries(members.c1[0], reverse("notices:mine")) <= 6


def test_public_notices_show_on_the_resident_home_and_nearby(world, members, client, login):
    hidden = services.notice_create(actor=world.users.community_worker, title="内部通知", body="b",
                                    audience="registered_members", audience_area=world.c1)  # fmt: skip
    public = services.notice_create(actor=world.users.subdistrict_admin, title="停水公告", body="周五停水",
                                    audience="none", audience_area=world.s1, is_public=True)  # fmt: skip
    other = services.notice_create(actor=world.users.community_worker_outsider, title="海虹公告", body="b",
                                   audience="none", audience_area=world.c3, is_public=True)  # fmt: skip
    for n, actor in ((hidden, world.users.community_worker), (public, world.users.subdistrict_admin),
                     (other, world.users.community_worker_outsider)):  # fmt: skip
        services.notice_publish(actor=actor, notice=n)
    home = login(world.users.resident).get(reverse("dashboard:home")).content.decode()
    assert "停水公告" in home and "内部通知" not in home and "海虹公告" not in home
    client.logout()
    nearby = client.get(reverse("centers_public:finder") + f"?community={world.c1.public_id}").content.decode()
    assert "停水公告" in nearby and "海虹公告" not in nearby
    detail = client.get(reverse("notices:public", args=[public.public_id]))
    assert detail.status_code == 200 and "周五停水" in detail.content.decode()
    assert client.get(reverse("notices:public", args=[hidden.public_id])).status_code == 404


def test_attachments_are_served_only_to_who_may_read_the_notice(world, members, login, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("议程.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf")
    notice = services.notice_create(
        actor=world.users.community_worker, title="附件通知", body="b", audience="registered_members",
        audience_area=world.c1, attachments=[pdf],
    )  # fmt: skip
    item = notice.attachments.get()
    url = reverse("notices:attachment", args=[notice.public_id, item.public_id])
    assert login(members.c1[0]).get(url).status_code == 404  # a draft reaches nobody yet
    services.notice_publish(actor=world.users.community_worker, notice=notice)
    services.fanout_run(notice.pk)
    response = login(members.c1[0]).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert login(members.c3[0]).get(url).status_code == 404
    assert login(world.users.community_worker_colleague).get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 404  # not public


def test_unsigned_notices_are_in_todays_todo(world, members, published, login):
    from dangjian.core.todo import todos_for

    items = todos_for(members.c1[0])
    assert [(i.title, str(i.count)) for i in items if i.url == reverse("notices:mine")] == [("待签收的通知", "1")]
    services.receipt_sign(actor=members.c1[0], notice=published)
    assert not [i for i in todos_for(members.c1[0]) if i.url == reverse("notices:mine")]


def test_the_notice_page_shows_the_fanout_progress_until_done(world, members, draft, login):
    notice = services.notice_publish(actor=world.users.community_worker, notice=draft)
    services.fanout_batch(notice.pk, size=2)
    client = login(world.users.community_worker)
    running = client.get(reverse("notices:progress", args=[notice.public_id])).content.decode()
    assert "正在送达：2 / 3 人" in running and 'hx-trigger="every 2s"' in running
    services.fanout_run(notice.pk)
    done = client.get(reverse("notices:progress", args=[notice.public_id])).content.decode()
    assert "已送达 3 人" in done and "hx-get" not in done
