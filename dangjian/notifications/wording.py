"""The words of a message on an outside channel: a `MessageTemplate` row (the district's, else every
district's; for the event, else its kind) or the default here. Placeholders are `{name}`, filled from
the message's params (title, object, step, actor, and what the caller put in `context`); nothing else of
Python's format syntax is read, so a template cannot reach an attribute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from dangjian.core.text import mask_personal_text

from .models import Message, MessageTemplate

PLACEHOLDER = re.compile(r"\{(\w+)\}")
SMS_MAX = 300  # a long SMS is split by the carrier; more than a few parts is a letter, not a notice


@dataclass(frozen=True)
class Rendered:
    provider_template: str
    title: str
    text: str
    params: dict[str, str]


def defaults() -> dict[str, tuple[str, str]]:
    """(title, body) per channel when no row says otherwise: the message's own words."""
    return {
        "sms": ("{title}", _("{title}。详情请登录党建引领基层治理平台“消息”查看。")),
        "wechat": ("{title}", "{body}"),
    }


def fill(template: str, params: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: params.get(m.group(1), ""), template)


def template_for(event: str, channel: str, district_path: str) -> MessageTemplate | None:
    """The most specific active row: the event's before its kind's, the district's before everyone's."""
    kind = event.rsplit(".", 1)[0] if event.count(".") >= 2 else event
    where = Q(district__isnull=True)
    if district_path:
        where |= Q(district__path=district_path)
    rows = list(
        MessageTemplate.objects.filter(where, event__in={event, kind}, channel=channel, is_active=True).values(
            "pk", "event", "district_id"
        )
    )
    if not rows:
        return None
    best = min(rows, key=lambda r: (r["event"] != event, r["district_id"] is None))
    return MessageTemplate.objects.get(pk=best["pk"])


def words(event: str, channel: str, district_path: str, cache: dict | None = None) -> tuple[str, str, str]:
    """(provider template, title template, body template) for a message: the most specific row or the
    default. `cache` (a dict the caller keeps, e.g. for one batch of sends) saves the lookup per event,
    channel and district."""
    key = (event, channel, district_path)
    if cache is not None and key in cache:
        return cache[key]
    row = template_for(event, channel, district_path)
    if row is not None:
        found = (row.provider_template, row.title, row.body or "{title}")
    else:
        found = ("", *defaults().get(channel, ("{title}", "{body}")))
    if cache is not None:
        cache[key] = found
    return found


def render(message: Message, channel: str, *, cache: dict | None = None) -> Rendered:
    params = {str(k): str(v) for k, v in (message.params or {}).items()}
    params.setdefault("title", message.title)
    params.setdefault("body", message.body)
    params.setdefault("actor", message.actor_label)
    provider, title_t, body_t = words(message.event, channel, message.district_path, cache)
    # No message leaves with more than its purpose needs: mobile and ID numbers typed into a note (or
    # a template) are masked.
    params = {k: mask_personal_text(v) for k, v in params.items()}
    title = mask_personal_text(fill(title_t, params))
    text = mask_personal_text(fill(body_t, params).strip()) or title
    if channel == "sms":
        text = text[:SMS_MAX]
    return Rendered(provider_template=provider or message.event, title=title, text=text, params=params)
