"""通知公告: a notice issued by a district, subdistrict or community to an audience of accounts, with a
receipt (签收) per recipient, and public notices residents read on the phone.

Publishing fans the notice out to its audience on the queue (services.fanout_run): receipts are written
in batches in user-id order, and `fanout_cursor` (the last user id delivered) is committed with each
batch, so a fan-out that died half-way resumes where it stopped and never writes a receipt twice (the
unique constraint on (notice, user) stands behind it).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TransitionLog
from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.tree import PathCopyField
from dangjian.territory.models import Area


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class Audience(models.TextChoices):
    """Who receives a notice: people with accounts to sign, found through how accounts are tied to
    areas, organizations and members (see audience.py)."""

    COMMUNITY_WORKERS = "community_workers", _("所辖社区的社区工作者")
    BRANCH_SECRETARIES = "branch_secretaries", _("所辖党支部（书记账号）")
    REGISTERED_MEMBERS = "registered_members", _("在社区报到的在职党员")
    MEMBERS = "members", _("所辖党组织的党员（有账号的）")
    NONE = "none", _("不指定接收人（仅公开）")


class ReceiptState(models.IntegerChoices):
    UNREAD = 0, _("未读")
    READ = 1, _("已读未签收")
    SIGNED = 2, _("已签收")


class Notice(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The issuing node (district, subdistrict or community): whose workers manage the notice.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="notices", verbose_name=_("发布单位"))
    area_path = PathCopyField(editable=False, db_index=True)
    issuer_name = models.CharField(_("发布单位名称"), max_length=100)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notices_issued", verbose_name=_("发布人")
    )
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"), max_length=20000)
    audience = models.CharField(_("接收范围"), max_length=32, choices=Audience.choices)
    # The node under which the audience is found (inside the issuer's own node).
    audience_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("接收范围所在属地")
    )
    is_public = models.BooleanField(_("向居民公开"), default=False)
    # 社区工作事项准入: a notice that sets communities work to do must carry a task sent down through duties
    # (which refuses what is not admitted); publishing refuses it otherwise (services.task_refusal).
    carries_task = models.BooleanField(_("布置需社区落实的工作"), default=False)
    task = models.ForeignKey(
        "duties.DownTask",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所附下派任务"),
    )
    receipt_deadline = models.DateTimeField(_("签收截止时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    # The fan-out: how many the audience held when published, the last user id delivered, when done.
    fanout_total = models.PositiveIntegerField(default=0, editable=False)
    fanout_cursor = models.BigIntegerField(default=0, editable=False)
    fanout_done_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Counters kept with each receipt write (conditional updates), read by the pages and the figures.
    recipient_count = models.PositiveIntegerField(default=0, editable=False)
    read_count = models.PositiveIntegerField(default=0, editable=False)
    signed_count = models.PositiveIntegerField(default=0, editable=False)
    reminded_at = models.DateTimeField(_("最近提醒时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["area_path", "-created_at", "-id"], name="notices_issuer_list"),
            models.Index(
                fields=["area_path", "-published_at", "-id"],
                condition=Q(status="published", is_public=True),
                name="notices_public_list",
            ),
            models.Index(fields=["fanout_done_at"], condition=Q(status="published"), name="notices_fanout_open"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False), name="notices_published_has_time"
            ),
            models.CheckConstraint(
                condition=Q(signed_count__lte=models.F("read_count")) & Q(read_count__lte=models.F("recipient_count")),
                name="notices_counts_nested",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notices:detail", args=[self.public_id])

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        # The issuer's side: notices issued by a node inside the active role's territory.
        return prefix_q("area_path", scope.area_path) if scope.area_path else NOTHING

    @property
    def state(self):
        from .workflow import FLOW

        return FLOW.state(self.status)

    @property
    def fanout_running(self) -> bool:
        return self.status == NoticeStatus.PUBLISHED and self.fanout_done_at is None

    @property
    def fanout_percent(self) -> int:
        if not self.fanout_total:
            return 100 if self.fanout_done_at else 0
        return min(100, self.recipient_count * 100 // self.fanout_total)

    @property
    def sign_rate(self) -> int | None:
        return self.signed_count * 100 // self.recipient_count if self.recipient_count else None

    @property
    def unsigned_count(self) -> int:
        return self.recipient_count - self.signed_count


class NoticeAttachment(models.Model):
    """A file attached to a notice, checked by its bytes (attachments.py); served only through a view
    that checked the viewer may read the notice."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("通知"))
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(_("文件"), upload_to="notices/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8)
    size = models.PositiveIntegerField(_("大小"))

    class Meta:
        verbose_name = _("通知附件")
        verbose_name_plural = _("通知附件")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class NoticeReceipt(models.Model):
    """One recipient of a notice: delivered, read, signed (签收), reminded."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("通知"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_receipts", verbose_name=_("接收人")
    )
    # Where the recipient was found (their community, branch or organization), as the list shows it.
    place = models.CharField(_("所在单位"), max_length=150, blank=True)
    state = models.PositiveSmallIntegerField(_("状态"), choices=ReceiptState.choices, default=ReceiptState.UNREAD)
    delivered_at = models.DateTimeField(_("送达时间"))
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("最近提醒时间"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("提醒次数"), default=0)

    class Meta:
        verbose_name = _("签收记录")
        verbose_name_plural = _("签收记录")
        ordering = ["notice_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "user"], name="notices_one_receipt_per_user"),
            models.CheckConstraint(
                condition=Q(state=0, read_at__isnull=True, signed_at__isnull=True)
                | Q(state=1, read_at__isnull=False, signed_at__isnull=True)
                | Q(state=2, read_at__isnull=False, signed_at__isnull=False),
                name="notices_receipt_state_matches_times",
            ),
        ]
        indexes = [
            # The receipt page filtered by state, in user order; 我的通知 newest first.
            models.Index(fields=["notice", "state", "user"], name="notices_receipt_state"),
            models.Index(fields=["user", "-delivered_at", "-id"], name="notices_receipt_mine"),
        ]

    def __str__(self) -> str:
        return f"{self.notice} → {self.user}"


class NoticeLog(TransitionLog):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="log", verbose_name=_("通知"))

    class Meta(TransitionLog.Meta):
        verbose_name = _("通知流转记录")
        verbose_name_plural = _("通知流转记录")
