"""A phone retrying a topic or a question with its idempotency key writes once and gets the first
answer again; the covered views keep their decorator."""

from django.urls import reverse

from dangjian.deliberation.models import DisclosureQuestion, Topic
from dangjian.deliberation.views import links, public, topics

REPLAYED = "这次提交已处理，未重复提交。"


def test_the_phone_writes_are_idempotent():
    for view in (topics.topic_new, public.ask, links.link_new):
        assert getattr(view, "idempotent", False) is True, view.__name__


def test_a_retried_topic_is_written_once(world, login, db):
    client = login(world.users.resident)
    url = reverse("deliberation:topic_new")
    assert 'name="idempotency_key"' in client.get(url).content.decode()
    data = {"title": "小区路灯坏了", "idempotency_key": "topic-key-1"}
    first = client.post(url, data)
    retry = client.post(url, data)
    assert first["Location"] == retry["Location"] and retry["Idempotent-Replayed"] == "true"
    assert REPLAYED in client.get(retry["Location"]).content.decode()
    assert Topic.objects.count() == 1


def test_a_retried_question_is_written_once(world, login, published):
    client = login(world.users.resident)
    disclosure = published.disclosures.get()
    url = reverse("deliberation:ask", args=[world.c1.code, disclosure.public_id])
    assert 'name="idempotency_key"' in client.get(reverse("deliberation:board", args=[world.c1.code])).content.decode()
    client.post(url, {"text": "什么时候开工？", "idempotency_key": "question-key-1"})
    retry = client.post(url, {"text": "什么时候开工？", "idempotency_key": "question-key-1"})
    assert retry["Idempotent-Replayed"] == "true"
    assert DisclosureQuestion.objects.count() == 1
