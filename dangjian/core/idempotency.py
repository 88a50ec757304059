"""Idempotent writes for signed-in people: a phone that retries a POST it never saw answered gets the
first answer again instead of a second row.

The client sends a key with the write: the `Idempotency-Key` header or the hidden form field
`idempotency_key` (`{% idempotency_field %}` renders one, new per rendering of the form). A view
decorated with `@idempotent` then

- replays the stored answer when this person already sent this key (the same redirect, with the flash
  message 这次提交已处理，未重复提交。, or the same JSON body);
- answers 422 when the key was used for a different path or a different body;
- otherwise inserts the key row and runs the view in one transaction. A concurrent duplicate waits on
  the unique index (PostgreSQL) or on the single writer (SQLite), then finds the row and replays it.
  An answer that is not a success (a form shown again with errors, a redirect carrying an error
  message, any exception) rolls the whole block back, so the key is not used up.

Without a key, or for an anonymous person, the view runs exactly as before. The Open311 API keeps its
own per-client key on the case (cases.intake.services.idempotent_replay).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IdempotentRequest

HEADER = "Idempotency-Key"
FIELD = "idempotency_key"
KEEP_DAYS = 7
# What a key may look like: a uuid4 from the form, or any short token a client makes up.
KEY_RE = re.compile(r"^[A-Za-z0-9._:\-]{8,64}$")
# Form fields that change between two sendings of the same write and so are not part of it.
UNSIGNED_FIELDS = frozenset({"csrfmiddlewaretoken", FIELD})


def request_key(request: HttpRequest) -> str:
    return (request.headers.get(HEADER) or request.POST.get(FIELD) or "").strip()


def fingerprint(request: HttpRequest) -> str:
    """What the write was: method, path, the form's fields (less the token and the key) and the names
    and sizes of the uploaded files. A retry sends the same body, so it has the same fingerprint."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    for name in sorted(k for k in request.POST if k not in UNSIGNED_FIELDS):
        for value in request.POST.getlist(name):
            digest.update(f"{name}={value}\n".encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(f"{name}@{upload.name}:{upload.size}\n".encode())
    if not request.POST and not request.FILES and request.content_type != "multipart/form-data":
        digest.update(request.body)
    return digest.hexdigest()


def _error_flashed(request: HttpRequest) -> bool:
    """Whether the view told the person it failed (messages.error) during this request."""
    storage = getattr(request, "_messages", None)
    queued = getattr(storage, "_queued_messages", None) or []
    return any(m.level >= messages.ERROR for m in queued)


def is_success(request: HttpRequest, response: HttpResponse) -> bool:
    """A write that happened: a redirect without an error message, or a 2xx JSON answer."""
    if 300 <= response.status_code < 400 and response.has_header("Location"):
        return not _error_flashed(request)
    content_type = response.get("Content-Type", "")
    return 200 <= response.status_code < 300 and content_type.startswith("application/json")


class _Failed(Exception):
    """Raised inside the block to roll it back while keeping the view's answer."""

    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _replay(request: HttpRequest, row: IdempotentRequest) -> HttpResponse:
    if row.location:
        if hasattr(request, "_messages"):
            messages.info(request, _("这次提交已处理，未重复提交。"))
        response: HttpResponse = HttpResponseRedirect(row.location, status=row.status)
    else:
        response = HttpResponse(row.body, status=row.status, content_type=row.content_type or None)
    response["Idempotent-Replayed"] = "true"
    return response


def _refused(request: HttpRequest, *, status: int, title: str, message: str) -> HttpResponse:
    """The refusal as a page for a form, as JSON for a client that asks for it."""
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    context = {"title": title, "message": message, "code": status}
    return render(request, "core/idempotency_refused.html", context, status=status)


def _conflict(request: HttpRequest) -> HttpResponse:
    return _refused(
        request,
        status=422,
        title=_("提交编号已被使用"),
        message=_("这个提交编号已用于另一项不同的提交，本次未处理。请返回并刷新页面后重新提交。"),
    )


def _bad_key(request: HttpRequest) -> HttpResponse:
    return _refused(
        request,
        status=400,
        title=_("提交编号无效"),
        message=_("提交编号格式不正确（应为 8 至 64 位字母、数字或 -_.:），本次未处理。请刷新页面后重新提交。"),
    )


def _stored_answer(request: HttpRequest, row: IdempotentRequest, print_: str) -> HttpResponse:
    if row.path != request.path[:255] or row.fingerprint != print_:
        return _conflict(request)
    return _replay(request, row)


def run_once(request: HttpRequest, key: str, view: Callable[[], HttpResponse]) -> HttpResponse:
    """Run `view()` at most once for (request.user, key); see the module's docstring."""
    user: Any = request.user  # signed in: the decorator runs the view plainly for anyone else
    print_ = fingerprint(request)
    row = IdempotentRequest.objects.filter(user=user, key=key).first()
    if row is not None:
        return _stored_answer(request, row, print_)
    try:
        with transaction.atomic():
            try:
                # The key first: a concurrent duplicate blocks here until this transaction ends.
                with transaction.atomic():
                    row = IdempotentRequest.objects.create(
                        user=user, key=key, path=request.path[:255], fingerprint=print_, status=0
                    )
            except IntegrityError:
                row = None
            if row is not None:
                response = view()
                if not is_success(request, response):
                    raise _Failed(response)
                row.status = response.status_code
                if response.has_header("Location"):
                    row.location = response["Location"]
                else:
                    row.content_type = response.get("Content-Type", "")
                    row.body = response.content.decode(response.charset or "utf-8")
                row.save(update_fields=["status", "location", "content_type", "body"])
                return response
    except _Failed as failed:
        return failed.response
    # Another request with this key committed while this one waited: answer what it answered.
    row = IdempotentRequest.objects.filter(user=user, key=key).first()
    if row is None:  # gone since (the nightly purge): nothing stands in the way of running it now
        return run_once(request, key, view)
    return _stored_answer(request, row, print_)


def idempotent(view_func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a POST view that writes and answers a success with a redirect (or 2xx JSON): any other answer
    is taken as a failure and its writes are rolled back. Place it below the role and method
    decorators, so an outsider still gets 404 (or 405) before any key is looked at."""

    @functools.wraps(view_func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST" or not request.user.is_authenticated:
            return view_func(request, *args, **kwargs)
        key = request_key(request)
        if not key:
            return view_func(request, *args, **kwargs)
        if not KEY_RE.match(key):
            return _bad_key(request)
        return run_once(request, key, lambda: view_func(request, *args, **kwargs))

    # Outer decorators copy __dict__ (functools.wraps), so a URL's view still says it is covered.
    wrapper.idempotent = True  # type: ignore[attr-defined]
    return wrapper


def purge(*, days: int = KEEP_DAYS) -> int:
    """Drop keys older than `days` (the nightly housekeeping); returns how many went."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
