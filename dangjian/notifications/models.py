"""The message centre's rows: a message in a person's inbox, their preferences, the templates per event
and channel (data, overriding the defaults in templates.py per district), and one delivery per message
and outside channel (SMS, WeChat), which is sent at most once.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import NOTHING, Scope, ScopedManager
from dangjian.core.tree import STEP, PathCopyField


class Channel(models.TextChoices):
    APP = "app", _("站内消息")
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信")


# The channels a delivery goes out on (in-app is the message itself).
OUTSIDE_CHANNELS = (Channel.SMS, Channel.WECHAT)


class Message(models.Model):
    """One message in one person's inbox. Repeats collapse: one row per (recipient, event, object);
    a repeat rewrites the row and makes it unread again instead of adding one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages", verbose_name=_("接收人")
    )
    event = models.CharField(_("事件"), max_length=80)  # "cases.case.dispatch"
    # What repeats collapse on: "cases.case:<public id>"; a message about nothing gets a key of its own.
    object_key = models.CharField(_("对象"), max_length=120)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    actor_label = models.CharField(_("发送方"), max_length=100, blank=True)
    # The district the object belongs to (its area path's first segment): which templates apply.
    district_path = PathCopyField(max_length=40, blank=True)
    # The named placeholders outside channels' templates fill in (no personal data beyond the purpose).
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=False)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # Still to be fanned out to the outside channels (delivery.py); the sweep finds it by this.
    fan_out_pending = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event", "object_key"], name="notifications_message_collapse"),
        ]
        indexes = [
            # The inbox, newest first (keyset), and its kind filter.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notifications_msg_inbox"),
            # The bell: the unread count reads only this partial index.
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                condition=Q(read_at__isnull=True),
                name="notifications_msg_unread",
            ),
            models.Index(fields=["created_at"], condition=Q(fan_out_pending=True), name="notifications_msg_fanout"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notifications:open", args=[self.public_id])

    @property
    def kind(self) -> str:
        """The workflow or subject of the event ("cases.case"), what a person mutes."""
        return self.event.rsplit(".", 1)[0] if self.event.count(".") >= 2 else self.event


class Preference(models.Model):
    """What a person wants to hear, and where. Without a row the defaults in settings apply."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preference")
    muted = models.JSONField(_("不接收的消息类型"), default=list, blank=True)  # event keys or their kinds
    sms = models.BooleanField(_("短信提醒"), default=True)
    wechat = models.BooleanField(_("微信提醒"), default=True)
    quiet_start = models.TimeField(_("免打扰开始"), null=True, blank=True)
    quiet_end = models.TimeField(_("免打扰结束"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("消息设置")
        verbose_name_plural = _("消息设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="notifications_pref_quiet_both",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class MessageTemplate(models.Model):
    """The words of an event on a channel, as data: a district's row overrides the row for every
    district (district empty), which overrides the default in code (wording.py)."""

    event = models.CharField(
        _("事件"), max_length=80, help_text=_("如 cases.case.dispatch；也可填 cases.case 表示该类全部事件")
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    district = models.ForeignKey(
        "territory.Area",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("区"),
        help_text=_("留空表示适用于所有区"),
    )
    provider_template = models.CharField(
        _("服务商模板编号"), max_length=64, blank=True, help_text=_("短信模板 ID 或微信模板消息 ID")
    )
    title = models.CharField(_("标题模板"), max_length=200, help_text=_("可用占位符如 {title}、{object}、{step}"))
    body = models.TextField(_("内容模板"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("消息模板")
        verbose_name_plural = _("消息模板")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "district"], name="notifications_template_unique_district"
            ),
            models.UniqueConstraint(
                fields=["event", "channel"],
                condition=Q(district__isnull=True),
                name="notifications_template_unique_all",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.get_channel_display()}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """A district's staff see every district's defaults and their own district's rows."""
        if not scope.area_path:
            return NOTHING
        return Q(district__isnull=True) | Q(district__path=scope.area_path[:STEP])


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("未发送")  # no address, or the person turned the channel off meanwhile


class Delivery(models.Model):
    """A message on one outside channel. Unique per (message, channel): sent at most once; the task
    claims it by a conditional update (queued → sending) so two workers never both send it."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("失败原因"), max_length=300, blank=True)
    provider_id = models.CharField(_("服务商消息编号"), max_length=100, blank=True)
    address_masked = models.CharField(_("发送地址"), max_length=40, blank=True)
    district_path = PathCopyField(max_length=40, blank=True)  # the message's: the district's log
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Not before: quiet hours and retries move it; the sweep queues what is due again.
    due_at = models.DateTimeField(_("计划发送时间"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        constraints = [
            models.UniqueConstraint(fields=["message", "channel"], name="notifications_delivery_once"),
        ]
        indexes = [
            # The sweep: what is still queued or sending, by when it was due.
            models.Index(
                fields=["due_at", "id"],
                condition=Q(status__in=["queued", "sending"]),
                name="notifications_dlv_pending",
            ),
            # A district's delivery log, newest first.
            models.Index(fields=["district_path", "-created_at", "-id"], name="notifications_dlv_log"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} · {self.channel} · {self.status}"
