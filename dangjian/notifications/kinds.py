"""The kinds of message a person can mute or filter on: every declared workflow that tells someone
(its name, e.g. "cases.case", labelled by its model), and the kinds other apps register for what they
send without a workflow (`register("notices.notice", _("通知公告"))` in their AppConfig.ready)."""

from __future__ import annotations

from django.utils.functional import Promise

from dangjian.core.workflow import REGISTRY

_extra: dict[str, str | Promise] = {}


def register(kind: str, label: str | Promise) -> None:
    _extra[kind] = label


def kinds() -> dict[str, str]:
    """kind → its Chinese label, workflows first (in declaration order), then registered kinds."""
    out: dict[str, str] = {}
    for name, flow in REGISTRY.items():
        if flow.notify_declarations():
            out[name] = str(flow.model._meta.verbose_name)
    for kind, label in _extra.items():
        out.setdefault(kind, str(label))
    return out


def kind_of(event: str) -> str:
    return event.rsplit(".", 1)[0] if event.count(".") >= 2 else event


def label_of(event: str) -> str:
    return kinds().get(kind_of(event), "")
