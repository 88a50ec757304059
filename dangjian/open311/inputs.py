"""Reading an Open311 request: the guard every endpoint runs first, and the parameter helpers.

The guard turns what Django would answer with an HTML page or a 500 into the spec's error list, in
the format the URL asks for: a body in another charset than UTF-8 (400), a body larger than
DATA_UPLOAD_MAX_MEMORY_SIZE (413), a body that is no form, bytes that are no UTF-8, and characters
XML 1.0 cannot carry (NUL, ESC...: they would make every later XML list unreadable, and PostgreSQL
refuses NUL in text)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from dangjian.core.text import XML_INVALID_RE, strip_xml_invalid

from .formats import errors

UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
UNENCODED_PLUS_RE = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")
REPLACEMENT = "\ufffd"  # what Django puts where bytes were no UTF-8


def field_error(field: str, message: str) -> str:
    """`field：message` — clients show the description to people, so it names what to fix."""
    return f"{field}：{message}"


def method_not_allowed(fmt: str, allowed: list[str]) -> HttpResponse:
    response = errors(fmt, 405, _("不支持该请求方法，请使用 %(m)s。") % {"m": "、".join(allowed)})
    response["Allow"] = ", ".join(allowed)
    return response


def _shown(name: str) -> str:
    return strip_xml_invalid(name)[:40] or "?"


def _body_problem(request: HttpRequest, fmt: str) -> HttpResponse | None:
    charset = (request.content_params or {}).get("charset", "").strip().strip('"').lower()
    if charset and charset not in UTF8_NAMES:
        return errors(
            fmt,
            400,
            field_error(
                _("请求体"),
                _("须使用 UTF-8 编码（收到 charset=%(c)s）。请按 UTF-8 编码表单后重新提交。") % {"c": charset[:20]},
            ),
        )
    try:
        request.POST  # noqa: B018 - parses the body, or raises
    except RequestDataTooBig:
        return errors(
            fmt,
            413,
            field_error(
                _("请求体"),
                _("超过 %(n)s 字节上限。描述不超过 2000 字，照片请以 media_url 链接提交。")
                % {"n": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
            ),
        )
    except (BadRequest, SuspiciousOperation, MultiPartParserError, UnicodeDecodeError):
        return errors(
            fmt,
            400,
            field_error(
                _("请求体"),
                _("无法解析：请以 UTF-8 编码的 application/x-www-form-urlencoded 或 multipart/form-data 表单提交。"),
            ),
        )
    return None


def _value_problems(request: HttpRequest) -> list[str]:
    problems: list[str] = []
    sources = (request.GET, request.POST) if request.method == "POST" else (request.GET,)
    for source in sources:
        for name, values in source.lists():
            texts = [name, *values]
            if any(REPLACEMENT in text for text in texts):
                problems.append(
                    field_error(_shown(name), _("含有无法按 UTF-8 解码的字节，请按 UTF-8 编码后重新提交。"))
                )
            elif any(XML_INVALID_RE.search(text) for text in texts):
                problems.append(
                    field_error(_shown(name), _("含有不可见的控制字符（如 NUL、垂直制表符、ESC），请删除后重新提交。"))
                )
    return problems


def api_endpoint(*methods: str) -> Callable:
    """An Open311 view: no CSRF (clients hold API keys, not cookies), the listed methods only, and a
    request that cannot be read answered with the spec's error list before the view runs."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                return method_not_allowed(fmt, list(methods))
            if request.method == "POST":
                problem = _body_problem(request, fmt)
                if problem is not None:
                    return problem
            problems = _value_problems(request)
            if problems:
                return errors(fmt, 400, problems)
            return view(request, *args, fmt=fmt, **kwargs)

        return wrapper

    return decorate


def param(request: HttpRequest, name: str) -> str:
    """A form field, else a query parameter (some clients put api_key in the URL). Empty = absent."""
    value = request.POST.get(name) if request.method == "POST" else None
    if value is None or value == "":
        value = request.GET.get(name, "")
    return (value or "").strip()


def split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def parse_when(value: str) -> datetime | None:
    """A W3C datetime (2010-01-01T00:00:00Z, +08:00 offsets) or a date; naive ones are local time.

    A "+" a client forgot to percent-encode arrives as a space: "…T00:00:00 08:00" is read as +08:00."""
    value = UNENCODED_PLUS_RE.sub(r"\1+\2", value.strip())
    try:  # well-formed but impossible values (month 13) raise rather than return None
        parsed = parse_datetime(value)
        day = parse_date(value) if parsed is None else None
    except ValueError:
        return None
    if parsed is None:
        if day is None:
            return None
        parsed = datetime(day.year, day.month, day.day)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def positive_int(value: str, default: int) -> int | None:
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        return None
    return number if number >= 1 else None
