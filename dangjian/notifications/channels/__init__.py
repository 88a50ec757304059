"""Delivery channels beyond the in-app inbox: SMS and WeChat, each through a pluggable backend.

`backend("sms")` / `backend("wechat")` returns the backend the setting NOTIFY_BACKENDS names (by dotted
path); by default the console backends, which print one line and append a JSON line to
VAR_DIR/outbox.log, so the demo works offline and a verification code can be read on the console.

A backend sends one message to one address and answers the provider's id, or raises DeliveryError
saying why and whether trying again later can help (the queue retries only what is retryable).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_BACKENDS = {
    "sms": "dangjian.notifications.channels.console.ConsoleSmsBackend",
    "wechat": "dangjian.notifications.channels.console.ConsoleWechatBackend",
}


class DeliveryError(Exception):
    """A message the provider did not take: `reason` for the delivery log, `retryable` for the queue."""

    def __init__(self, reason: str, *, retryable: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class Backend:
    """One channel's way out. Subclasses set `channel` and implement `send`."""

    channel: str = ""

    def address(self, user: Any) -> str | None:
        """Where this channel reaches `user`, or None when it cannot."""
        if self.channel == "sms":
            return getattr(user, "mobile", None) or None
        if self.channel == "wechat":
            return getattr(user, "wechat_openid", None) or None
        return None

    def send(self, *, address: str, template: str, params: dict[str, str], text: str, idempotency_key: str) -> str:
        raise NotImplementedError


@cache
def _backend(channel: str, path: str) -> Backend:
    instance = import_string(path)()
    if instance.channel != channel:
        raise ValueError(f"NOTIFY_BACKENDS[{channel!r}] names a {instance.channel!r} backend")
    return instance


def backend(channel: str) -> Backend:
    """The configured backend of `channel` ("sms" or "wechat"); one instance per process and setting."""
    if channel not in DEFAULT_BACKENDS:
        raise ValueError(f"unknown channel {channel!r}")
    configured = getattr(settings, "NOTIFY_BACKENDS", None) or {}
    return _backend(channel, configured.get(channel) or DEFAULT_BACKENDS[channel])
