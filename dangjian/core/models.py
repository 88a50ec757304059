import uuid

from django.db import models


class Heartbeat(models.Model):
    """The last time a periodic task ran; /healthz reads it to tell whether the queue is alive."""

    name = models.CharField(max_length=64, unique=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = "心跳"
        verbose_name_plural = "心跳"

    def __str__(self) -> str:
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"


class Version(models.Model):
    """A named token that writers replace and readers compare, e.g. to know when to rebuild an
    in-process index. Reading it is one small query, from any process.

    A token, not a counter: a bump inside a transaction that rolls back must never be
    confused with a later, committed bump, so no value is ever used twice.
    """

    name = models.CharField(max_length=64, unique=True)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "版本标记"
        verbose_name_plural = "版本标记"

    def __str__(self) -> str:
        return f"{self.name} = {self.token}"


def bump_version(name: str) -> None:
    """Call inside the writer's transaction, so readers see the new token with the new data."""
    Version.objects.update_or_create(name=name, defaults={"token": uuid.uuid4().hex})


def read_version(name: str) -> str:
    return Version.objects.filter(name=name).values_list("token", flat=True).first() or ""
