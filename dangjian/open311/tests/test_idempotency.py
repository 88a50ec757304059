"""The Idempotency-Key header: a retried POST from the same client makes no second case."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from dangjian.cases.models import Case
from dangjian.open311 import services

from .conftest import garbage_answers


def test_it_answers_a_retry_with_the_same_body_and_no_second_case(post_request):
    headers = {"Idempotency-Key": "fms-report-4711"}
    first = post_request(garbage_answers(), headers=headers)
    again = post_request(garbage_answers(), headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1


def test_it_makes_a_new_case_for_a_new_key_or_no_key(post_request):
    post_request(garbage_answers(), headers={"Idempotency-Key": "a"})
    post_request(garbage_answers(), headers={"Idempotency-Key": "b"})
    post_request(garbage_answers())
    post_request(garbage_answers())
    assert Case.objects.count() == 4


def test_it_keeps_keys_apart_per_client(post_request, world):
    _other, other_key = services.client_create(actor=None, name="随手拍", district=world.district)
    headers = {"Idempotency-Key": "same"}
    one = json.loads(post_request(garbage_answers(), headers=headers).content)
    two = json.loads(post_request(garbage_answers(), headers=headers, key=other_key).content)
    assert one[0]["service_request_id"] != two[0]["service_request_id"]
    assert Case.objects.count() == 2


def test_it_refuses_a_key_longer_than_64_characters(post_request):
    response = post_request(garbage_answers(), headers={"Idempotency-Key": "k" * 65})
    assert response.status_code == 400
    assert json.loads(response.content)[0]["description"].startswith("Idempotency-Key：")
    assert Case.objects.count() == 0


def test_it_replays_in_xml_too(post_request):
    headers = {"Idempotency-Key": "xml-1"}
    first = post_request(garbage_answers(), fmt="xml", headers=headers)
    again = post_request(garbage_answers(), fmt="xml", headers=headers)
    assert again.content == first.content


@pytest.mark.django_db(transaction=True)
def test_it_makes_one_case_when_two_identical_posts_race(api):
    """Two threads post the same key at once; on PostgreSQL they really overlap."""
    n = 4
    barrier = threading.Barrier(n)
    bodies: list[tuple[int, bytes]] = []
    replayed: list[bool] = []

    def post():
        try:
            barrier.wait()
            response = Client().post(
                "/open311/v2/requests.json",
                {"api_key": api.key, **garbage_answers()},
                headers={"Idempotency-Key": "race-1"},
            )
            bodies.append((response.status_code, response.content))
            replayed.append(response.get("Idempotent-Replayed") == "true")
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Case.objects.filter(idempotency_key="race-1").count() == 1
    assert [status for status, _body in bodies] == [200] * n
    assert len({body for _status, body in bodies}) == 1
    # Every answer but the winner's says it is a replay, however the race was lost.
    assert sorted(replayed) == [False] + [True] * (n - 1)
