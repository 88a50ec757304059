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
