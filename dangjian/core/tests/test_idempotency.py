"""Idempotent writes (core.idempotency): the mechanism on a view of its own, then every covered page."""

import datetime
import json
import time
import uuid

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone

from dangjian.conftest import make_user
from dangjian.core.idempotency import FIELD, idempotent, purge
from dangjian.core.models import IdempotentRequest, Version
from dangjian.core.tasks import nightly_housekeeping
from dangjian.core.testing import run_at_once

# --- the mechanism, on a view that writes one Version row per run -------------------------------


@idempotent
def write_view(request):
    """Writes a row; answers a redirect, a form with errors, a refusal or JSON as the body asks."""
    outcome = request.POST.get("outcome", "ok")
    if outcome == "invalid":
        Version.objects.create(name=f"invalid-{uuid.uuid4().hex}", token="x")
        return HttpResponse("表单有误", status=200)
    if outcome == "refused":
        Version.objects.create(name=f"refused-{uuid.uuid4().hex}", token="x")
        messages.error(request, "不能这样做")
        return HttpResponseRedirect("/back/")
    if outcome == "boom":
        Version.objects.create(name=f"boom-{uuid.uuid4().hex}", token="x")
        raise RuntimeError("boom")
    row = Version.objects.create(name=f"ok-{uuid.uuid4().hex}", token="x")
    if outcome == "slow":
        time.sleep(0.3)  # hold the key row while the duplicates arrive (not a timing assertion)
    if outcome == "json":
        return JsonResponse({"id": row.pk})
    messages.success(request, "已保存")
    return HttpResponseRedirect(f"/done/{row.pk}/")


def post(user, data=None, *, key=None, header=None, path="/write/"):
    data = dict(data or {"title": "修路灯"})
    if key is not None:
        data[FIELD] = key
    extra = {"HTTP_IDEMPOTENCY_KEY": header} if header else {}
    request = RequestFactory().post(path, data, **extra)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def call(user, data=None, **kwargs):
    request = post(user, data, **kwargs)
    return request, write_view(request)


def queued(request) -> list[str]:
    return [str(m) for m in request._messages._queued_messages]


def writes() -> int:
    return Version.objects.filter(name__startswith="ok-").count()


@pytest.fixture
def person(db):
    return make_user("idem-person")


def test_a_retry_with_the_same_key_writes_once_and_gets_the_same_redirect(person):
    _first_request, first = call(person, key="key-aaaa-1")
    retry_request, retry = call(person, key="key-aaaa-1")
    assert writes() == 1
    assert (first.status_code, retry.status_code) == (302, 302)
    assert retry["Location"] == first["Location"]
    assert retry["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert queued(retry_request) == ["这次提交已处理，未重复提交。"]
    assert IdempotentRequest.objects.get().location == first["Location"]


def test_different_keys_and_no_key_write_each_time(person):
    call(person, key="key-aaaa-1")
    call(person, key="key-aaaa-2")
    call(person)
    call(person)
    assert writes() == 4
    assert IdempotentRequest.objects.count() == 2


def test_the_header_is_a_key_too_and_wins_over_the_field(person):
    call(person, header="header-key-1", key="field-key-1")
    _request, retry = call(person, header="header-key-1")
    assert writes() == 1 and retry["Idempotent-Replayed"] == "true"
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["header-key-1"]


@pytest.mark.parametrize("outcome", ["invalid", "refused"])
def test_a_failed_write_rolls_back_and_leaves_the_key_unused(person, outcome):
    _request, failed = call(person, {"outcome": outcome}, key="key-fail-1")
    assert failed.status_code in (200, 302) and not failed.has_header("Idempotent-Replayed")
    assert not IdempotentRequest.objects.exists()
    assert not Version.objects.filter(name__startswith=outcome).exists()
    _request, ok = call(person, {"outcome": "ok"}, key="key-fail-1")
    # The corrected form is a different body: with the key unused it simply runs.
    assert ok.status_code == 302 and writes() == 1


def test_an_exception_rolls_back_and_leaves_the_key_unused(person):
    with pytest.raises(RuntimeError):
        call(person, {"outcome": "boom"}, key="key-boom-1")
    assert not IdempotentRequest.objects.exists() and not Version.objects.exists()


def test_a_json_answer_is_replayed_with_its_body(person):
    _request, first = call(person, {"outcome": "json"}, key="key-json-1")
    _request, retry = call(person, {"outcome": "json"}, key="key-json-1")
    assert writes() == 1
    assert retry.status_code == 200 and retry.content == first.content
    assert retry["Content-Type"] == "application/json"


def test_a_key_reused_for_another_write_is_refused(person):
    call(person, key="key-reuse-1")
    _request, other_body = call(person, {"title": "别的内容"}, key="key-reuse-1")
    _request, other_path = call(person, key="key-reuse-1", path="/elsewhere/")
    assert (other_body.status_code, other_path.status_code) == (422, 422)
    assert "已用于另一项不同的提交" in other_body.content.decode()
    asks_json = post(person, {"title": "别的内容"}, key="key-reuse-1")
    asks_json.META["HTTP_ACCEPT"] = "application/json"
    answer = write_view(asks_json)
    assert answer.status_code == 422 and "已用于另一项不同的提交" in json.loads(answer.content)["detail"]
    assert writes() == 1


def test_a_retry_with_a_fresh_csrf_token_is_still_the_same_write(person):
    call(person, {"title": "修路灯", "csrfmiddlewaretoken": "a" * 64}, key="key-csrf-1")
    _request, retry = call(person, {"title": "修路灯", "csrfmiddlewaretoken": "b" * 64}, key="key-csrf-1")
    assert retry["Idempotent-Replayed"] == "true" and writes() == 1


def test_another_persons_key_is_not_replayed_to_them(person):
    other = make_user("idem-other")
    _request, mine = call(person, key="shared-key-1")
    _request, theirs = call(other, key="shared-key-1")
    assert writes() == 2
    assert not theirs.has_header("Idempotent-Replayed") and theirs["Location"] != mine["Location"]


def test_a_malformed_key_is_refused(person):
    _request, response = call(person, key="x")
    assert response.status_code == 400 and "提交编号格式不正确" in response.content.decode()
    assert writes() == 0 and not IdempotentRequest.objects.exists()


def test_the_nightly_housekeeping_drops_week_old_keys(person):
    call(person, key="key-old-1")
    call(person, key="key-new-1")
    IdempotentRequest.objects.filter(key="key-old-1").update(created_at=timezone.now() - datetime.timedelta(days=8))
    assert nightly_housekeeping.call_local()["idempotency_keys"] == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["key-new-1"]
    assert purge() == 0


def test_the_field_tag_renders_a_new_key_each_time():
    template = Template("{% load idempotency %}{% idempotency_field %}")
    first, second = template.render(Context()), template.render(Context())
    assert first.startswith(f'<input type="hidden" name="{FIELD}" value="') and first != second


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_write_once_and_all_get_the_first_answer():
    racer = make_user("idem-racer")
    results = run_at_once(*[lambda: write_view(post(racer, {"outcome": "slow"}, key="race-key-1")) for _i in range(4)])
    assert all(kind == "ok" for kind, _value in results), results
    responses = [value for _kind, value in results]
    assert writes() == 1 and IdempotentRequest.objects.count() == 1
    assert {r["Location"] for r in responses} == {IdempotentRequest.objects.get().location}
    assert sum(r.has_header("Idempotent-Replayed") for r in responses) == 3


# --- every covered page: the view is wrapped and its form carries a key --------------------------

COVERED = [
    "cases:report",
    "cases:patrol",
    "cases:desk_new",
    "cases:claim",
    "demands:new",
    "demands:claim",
    "centers:signup",
    "centers:check_in",
    "centers:book",
    "volunteering:scan",
    "volunteering:shift_signup",
    # Creations a worker makes on the phone, where a retry would make a second one.
    "centers:activity_create",
    "volunteering:team_create",
    "volunteering:post_create",
    "volunteering:activity_create",
    "volunteering:post_detail",  # its form adds a shift
]
WITHOUT_ARGS = {"cases:report", "cases:patrol", "cases:desk_new", "demands:new", "volunteering:team_create",
                "volunteering:post_create"}  # fmt: skip


@pytest.mark.parametrize("name", COVERED)
def test_every_phone_write_is_idempotent(name):
    args = [] if name in WITHOUT_ARGS else ["token"] if name == "volunteering:scan" else [uuid.uuid4()]
    view = resolve(reverse(name, args=args)).func
    assert getattr(view, "idempotent", False), name


@pytest.mark.parametrize(
    ("name", "role"),
    [("cases:report", "resident"), ("cases:patrol", "grid_worker"), ("cases:desk_new", "community_worker"),
     ("demands:new", "resident")],
)  # fmt: skip
def test_the_form_pages_carry_a_fresh_key(world, login, name, role):
    client = login(getattr(world.users, role))
    pages = [client.get(reverse(name)).content.decode() for _i in range(2)]
    keys = [page.split(f'name="{FIELD}" value="')[1].split('"')[0] for page in pages]
    assert keys[0] != keys[1] and all(len(k) == 36 for k in keys)
