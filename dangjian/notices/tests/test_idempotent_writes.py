"""签收 on a phone that retries: one receipt signed once, the first answer replayed (core.idempotency)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
REPLAYED = "这次提交已处理，未重复提交。"


def test_signing_on_the_phone_is_idempotent(world, members, published, login):
    client = login(members.c1[0])
    page = client.get(reverse("notices:read", args=[published.public_id])).content.decode()
    assert 'name="idempotency_key"' in page and 'data-testid="sign"' in page
    url = reverse("notices:sign", args=[published.public_id])
    first = client.post(url, {"idempotency_key": "sign-key-1"})
    retry = client.post(url, {"idempotency_key": "sign-key-1"})
    assert first["Location"] == retry["Location"]
    assert retry["Idempotent-Replayed"] == "true"
    assert REPLAYED in client.get(retry["Location"]).content.decode()
    again = client.post(url, {"idempotency_key": "sign-key-2"})  # a second tap with a new form
    assert "您已签收过该通知" in client.get(again["Location"]).content.decode()
    published.refresh_from_db()
    assert published.signed_count == 1
