"""Excel imports: one ImportJob per uploaded file, checked first, written only when confirmed."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import Scope, ScopedManager, prefix_q
from dangjian.core.tree import PathCopyField


class ImportMode(models.TextChoices):
    CREATE = "create", _("新增")
    # Rows matched on the record code (from our own export) or the ID number; masked cells are kept.
    UPDATE = "update", _("更新已有记录")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    CHECKING = "checking", _("检查中")
    CHECKED = "checked", _("已检查")
    IMPORTING = "importing", _("导入中")
    DONE = "done", _("已导入")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已放弃")


S = ImportStatus
# The import workflow: which status may follow which. Everything else is refused.
TRANSITIONS: dict[str, set[str]] = {
    S.UPLOADED: {S.CHECKING, S.FAILED, S.CANCELLED},
    S.CHECKING: {S.CHECKED, S.FAILED},
    # A checked job is confirmed (importing), checked again, or given up.
    S.CHECKED: {S.IMPORTING, S.CHECKING, S.CANCELLED},
    # The re-check right before writing may find new problems: back to checked, nothing written.
    S.IMPORTING: {S.DONE, S.FAILED, S.CHECKED},
    S.FAILED: {S.CHECKING, S.CANCELLED},
    S.DONE: set(),
    S.CANCELLED: set(),
}
RUNNING_STATUSES = {S.UPLOADED, S.CHECKING, S.IMPORTING}


class ImportJob(models.Model):
    """One uploaded workbook: its check results, and whether (and what) it imported.

    The uploader's scope is kept (their role assignment and its territory path) so a check or an
    import running later in a background worker resolves names exactly as the uploader sees them.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # One of the importers the apps register (dangjian.imports.registry): "members", "units"...
    kind = models.CharField(_("导入类型"), max_length=16)
    status = models.CharField(_("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    filename = models.CharField(_("文件名"), max_length=200)
    file_size = models.PositiveIntegerField(_("文件大小"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
        verbose_name=_("上传人"),
    )
    role_assignment = models.ForeignKey(
        "accounts.RoleAssignment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上传时的角色"),
    )
    role = models.CharField(_("角色"), max_length=32, blank=True)
    area_path = PathCopyField(blank=True, db_index=True)
    background = models.BooleanField(_("后台处理"), default=False)
    mode = models.CharField(_("导入方式"), max_length=8, choices=ImportMode.choices, default=ImportMode.CREATE)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    skipped_rows = models.PositiveIntegerField(_("跳过的示例行"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    error_rows = models.PositiveIntegerField(_("有错误的行数"), default=0)
    imported_count = models.PositiveIntegerField(_("已导入条数"), default=0)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    # [{row, column, column_name, value, message}], at most IMPORT_MAX_STORED_ERRORS of them.
    errors = models.JSONField(_("错误"), default=list, blank=True)
    # {"columns": [...], "rows": [[...], ...]}: the first rows as they will be imported (masked).
    preview = models.JSONField(_("预览"), default=dict, blank=True)
    # What the import wrote besides the rows themselves, e.g. {"households_created": 3}.
    summary = models.JSONField(_("结果"), default=dict, blank=True)
    # Every row the import created: {"people.member": [[first pk, last pk], ...]} (see engine.py).
    written = models.JSONField(_("写入的记录"), default=dict, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="imports_job_creator")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="imports_job_progress_0_100"),
            models.CheckConstraint(condition=Q(status__in=ImportStatus.values), name="imports_job_status_known"),
            # Only a clean check is ever written.
            models.CheckConstraint(
                condition=~Q(status__in=[S.IMPORTING, S.DONE]) | Q(error_count=0), name="imports_job_written_clean"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} · {self.filename}"

    @property
    def kind_label(self) -> str:
        from . import registry

        return registry.label(self.kind)

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def can_confirm(self) -> bool:
        return self.status == S.CHECKED and self.error_count == 0 and self.total_rows > 0

    @property
    def valid_rows(self) -> int:
        return max(0, self.total_rows - self.error_rows)

    @property
    def errors_truncated(self) -> bool:
        return self.error_count > len(self.errors)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        # Jobs of the territory the role covers; views further restrict them to their uploader.
        return prefix_q("area_path", scope.area_path)


class ImportUpload(models.Model):
    """The uploaded bytes, kept in the database so any queue worker on any machine can read them.

    Deleted once the job is done or given up (data minimization), and after a retention period.
    """

    job = models.OneToOneField(ImportJob, on_delete=models.CASCADE, primary_key=True, related_name="upload")
    content = models.BinaryField()
    # A clean check's rows as read and parsed (engine.CheckResult.parsed_rows): the import's re-check
    # resolves them against the database again without reading the sheet a second time.
    parsed_rows = models.BinaryField(null=True, blank=True)

    class Meta:
        verbose_name = _("导入文件")
        verbose_name_plural = _("导入文件")

    def __str__(self) -> str:
        return str(self.job)


class ImportJobTransition(models.Model):
    """The log of the import workflow: one row per status change."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("导入任务"))
    from_status = models.CharField(_("原状态"), max_length=16, choices=ImportStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=ImportStatus.choices)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("导入状态变更")
        verbose_name_plural = _("导入状态变更")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.job}: {self.from_status} → {self.to_status}"
