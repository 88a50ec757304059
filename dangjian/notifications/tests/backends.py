"""Test backends, real classes chosen through settings.NOTIFY_BACKENDS as a deployment would choose
a provider: one that fails a set number of times before it takes a message, one that always refuses."""

from __future__ import annotations

from dangjian.notifications.channels import Backend, DeliveryError


class RecordingSms(Backend):
    """Takes every message after `failures` retryable refusals; `sent` keeps what went out."""

    channel = "sms"
    failures = 0
    sent: list[dict] = []
    tries = 0

    @classmethod
    def reset(cls, failures: int = 0) -> None:
        cls.failures, cls.sent, cls.tries = failures, [], 0

    def address(self, user):
        return user.mobile or None

    def send(self, *, address, template, params, text, idempotency_key):
        type(self).tries += 1
        if type(self).tries <= type(self).failures:
            raise DeliveryError("短信网关超时", retryable=True)
        type(self).sent.append(
            {"address": address, "template": template, "params": params, "text": text, "key": idempotency_key}
        )
        return f"test-{len(type(self).sent)}"


class RefusingSms(RecordingSms):
    """The provider refuses for good (an unknown number): no retry helps."""

    def send(self, *, address, template, params, text, idempotency_key):
        type(self).tries += 1
        raise DeliveryError("号码不存在", retryable=False)
