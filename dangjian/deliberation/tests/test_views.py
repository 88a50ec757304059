"""Every page's scope (owner, colleague in scope, outsider 404), the lists' cost, the public board
without sign-in, the resident's topic form, the printable record and the exports."""

import re
import zlib

import pytest
from django.urls import reverse

from dangjian.deliberation.models import DisclosureQuestion, Topic
from dangjian.deliberation.services import topics

pytestmark = pytest.mark.django_db


def test_the_manager_pages_are_scoped(world, council, published, assert_scoped, client):
    u = world.users
    topic = topics.topic_submit(actor=u.resident, community=world.c1, title="楼道堆物清理")
    for url, text in (
        (reverse("deliberation:home"), "婆石社区红色议事厅"),
        (reverse("deliberation:runs"), "中珠新村加装电梯"),
        (reverse("deliberation:topics"), "楼道堆物清理"),
        (reverse("meetings:list"), "中珠新村加装电梯"),
    ):
        for user, sees in (
            (u.community_worker, True),
            (u.community_worker_colleague, True),
            (u.community_worker_outsider, False),
        ):
            client.force_login(user)
            assert (text in client.get(url).content.decode()) is sees, (url, user.username)
    for url in (
        reverse("deliberation:council", args=[council.public_id]),
        reverse("deliberation:run", args=[published.public_id]),
        reverse("deliberation:topic", args=[topic.public_id]),
        reverse("deliberation:figures") + f"?node={world.c1.public_id}",
        reverse("deliberation:run_pdf", args=[published.public_id]),
    ):
        assert_scoped(
            url, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider
        )


def test_the_forms_and_writes_are_for_managers_in_scope(world, council, published, client):
    u = world.users
    for user in (u.resident, u.member):
        client.force_login(user)
        assert client.get(reverse("deliberation:council_new")).status_code == 404
        assert client.get(reverse("deliberation:run_new")).status_code == 404
    client.force_login(u.community_worker_outsider)
    elect = client.post(reverse("deliberation:council_act", args=[council.public_id, "elect"]), {"name": "甲"})
    step = client.post(reverse("deliberation:run_act", args=[published.public_id, "step"]), {"step": "publish_result"})
    assert (elect.status_code, step.status_code) == (404, 404)
    assert council.representatives.count() == 5


def test_a_resident_sees_only_their_own_topics(world, assert_scoped):
    u = world.users
    mine = topics.topic_submit(actor=u.resident, community=world.c1, title="增设充电桩")
    assert_scoped(
        reverse("deliberation:topic", args=[mine.public_id]),
        owner=u.resident,
        colleague=u.community_worker,
        outsider=u.member,
    )


def test_a_resident_proposes_a_topic_on_the_phone(world, client):
    client.force_login(world.users.resident)
    response = client.post(reverse("deliberation:topic_new"), {"title": "", "body": "x"})
    assert "请用一句话写明要议的事" in response.content.decode()
    response = client.post(
        reverse("deliberation:topic_new"), {"title": "小区东门晚上太暗", "body": "建议加装路灯", "source": "committee"}
    )
    topic = Topic.objects.get()
    assert (topic.source, topic.community, topic.submitted_by) == ("resident", world.c1, world.users.resident)
    assert response.url == reverse("deliberation:topic", args=[topic.public_id])


def test_the_board_is_read_without_signing_in(world, published, client):
    url = reverse("deliberation:board", args=[world.c1.code])
    page = client.get(url).content.decode()
    assert "同意加装电梯，居民自筹 36 万元。" in page and "决议公开" in page and "登录后可以提问" in page
    assert client.get(reverse("deliberation:board", args=["440402002001"])).status_code == 404
    disclosure = published.disclosures.get()
    ask = reverse("deliberation:ask", args=[world.c1.code, disclosure.public_id])
    assert client.post(ask, {"text": "钱怎么分摊？"}).status_code == 302
    assert not DisclosureQuestion.objects.exists()
    client.force_login(world.users.resident)
    client.post(ask, {"text": "一楼住户要出钱吗？"})
    question = DisclosureQuestion.objects.get()
    client.force_login(world.users.community_worker)
    client.post(
        reverse("deliberation:run_act", args=[published.public_id, "answer"]),
        {"question": question.pk, "answer": "按楼层分摊，一楼不出资。"},
    )
    client.logout()
    assert "按楼层分摊，一楼不出资。" in client.get(url).content.decode()


def test_the_outsider_cannot_answer_a_question(world, published, client):
    disclosure = published.disclosures.get()
    question = DisclosureQuestion.objects.create(disclosure=disclosure, asker=world.users.resident, text="?")
    client.force_login(world.users.community_worker_outsider)
    response = client.post(
        reverse("deliberation:run_act", args=[published.public_id, "answer"]), {"question": question.pk, "answer": "x"}
    )
    assert response.status_code == 404


def test_the_lists_cost_the_same_for_more_rows(world, council, start_run, count_queries):
    worker = world.users.community_worker
    start_run()
    topics.topic_submit(actor=world.users.resident, community=world.c1, title="议题")
    urls = [
        reverse("deliberation:runs"),
        reverse("deliberation:topics"),
        reverse("deliberation:home"),
        reverse("deliberation:board", args=[world.c1.code]),
    ]
    few = [count_queries(worker, url) for url in urls]
    for i in range(4):
        start_run(title=f"事项{i}")
        topics.topic_submit(actor=world.users.resident, community=world.c1, title=f"议题{i}")
    assert [count_queries(worker, url) for url in urls] == few


def test_the_record_prints_as_a_pdf(world, published, client):
    client.force_login(world.users.community_worker)
    response = client.get(reverse("deliberation:run_pdf", args=[published.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert any(b"Noto-Sans-CJK" in part for part in _streams(response.content))  # the CJK font is embedded


def _streams(pdf: bytes):
    """The PDF's compressed object streams, inflated (font names live in them)."""
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            yield zlib.decompress(match.group(1))
        except zlib.error:
            continue


def test_the_matters_export_is_scoped(world, published, client):
    import io

    from openpyxl import load_workbook

    client.force_login(world.users.community_worker_outsider)
    response = client.get(reverse("imports:export_deliberation_matters"))
    rows = list(
        load_workbook(
            io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
        ).active.values
    )
    assert len(rows) == 1  # the header only
    client.force_login(world.users.community_worker)
    response = client.get(reverse("imports:export_deliberation_matters"))
    rows = list(
        load_workbook(
            io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
        ).active.values
    )
    assert rows[1][4] == "加装电梯筹资方案"


def test_the_resident_phone_home_leads_to_the_community_board(world, published, client):
    client.force_login(world.users.resident)
    home = client.get(reverse("dashboard:home")).content.decode()
    board = reverse("deliberation:board", args=[world.c1.code])
    assert 'data-testid="home-board"' in home and board in home
    client.force_login(world.users.community_worker)  # a worker's home has no home community: no board card
    assert 'data-testid="home-board"' not in client.get(reverse("dashboard:home")).content.decode()
