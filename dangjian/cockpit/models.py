"""Targets as data: what a district sets for a figure of the cockpit (e.g. 40 % Party representatives,
100 % formation), standing or for one year; the tile shows its value against it. The monthly report:
one per district and month (PDF and Word, archived; regenerating replaces that month's files) and the
district's report template (its texts and groups as data, optionally its own .docx)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .catalogue import FIGURES, GROUPS


class Target(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(
        "territory.Area",
        on_delete=models.CASCADE,
        related_name="cockpit_targets",
        limit_choices_to={"level": "district"},
        verbose_name=_("区"),
    )
    figure = models.CharField(_("指标"), max_length=40, choices=[(f.key, f.label) for f in FIGURES])
    value = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2)
    # None: the standing target; a year: that year's (it wins over the standing one).
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("驾驶舱目标值")
        verbose_name_plural = _("驾驶舱目标值")
        ordering = ["district", "figure", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "figure", "year"], condition=Q(year__isnull=False), name="cockpit_target_year_once"
            ),
            models.UniqueConstraint(
                fields=["district", "figure"], condition=Q(year__isnull=True), name="cockpit_target_standing_once"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="cockpit_target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_figure_display()} {self.value}"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("失败")


def report_file_path(report: MonthlyReport, filename: str) -> str:
    """var/media/cockpit/reports/<district code or id>/<yyyy-mm>/<file>: one folder per month."""
    district = report.district.code or str(report.district.public_id)
    return f"cockpit/reports/{district}/{report.month:%Y-%m}/{filename}"


def default_groups() -> list[str]:
    return [g.key for g in GROUPS]


class MonthlyReport(models.Model):
    """A district's report of one month (its figures at the month's last day against the previous
    month's): queued, generated in the queue with its progress, archived as a PDF and a Word file."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(
        "territory.Area",
        on_delete=models.CASCADE,
        related_name="cockpit_reports",
        limit_choices_to={"level": "district"},
        verbose_name=_("区"),
    )
    month = models.DateField(_("月份"))  # the first day of the month reported
    status = models.CharField(_("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    step = models.CharField(_("当前步骤"), max_length=100, blank=True)
    pdf = models.FileField(_("PDF 文件"), upload_to=report_file_path, blank=True, max_length=255)
    docx = models.FileField(_("Word 文件"), upload_to=report_file_path, blank=True, max_length=255)
    error = models.TextField(_("错误信息"), blank=True)
    requested_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("生成人"),
    )

    class Meta:
        verbose_name = _("驾驶舱月度报告")
        verbose_name_plural = _("驾驶舱月度报告")
        ordering = ["district", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["district", "month"], name="cockpit_report_once_a_month"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="cockpit_report_progress_0_100"),
            models.CheckConstraint(condition=Q(month__day=1), name="cockpit_report_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.month:%Y-%m}"

    @property
    def is_running(self) -> bool:
        return self.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)

    @property
    def label(self) -> str:
        return f"{self.month.year} 年 {self.month.month} 月"


class ReportTemplate(models.Model):
    """What a district edits of its monthly report: the title, the opening and closing paragraphs, the
    groups in their order, and optionally its own Word template (docxtpl: Jinja tags in a .docx),
    kept in the database so any queue worker reads it."""

    district = models.OneToOneField(
        "territory.Area",
        on_delete=models.CASCADE,
        related_name="cockpit_report_template",
        limit_choices_to={"level": "district"},
        verbose_name=_("区"),
    )
    title = models.CharField(_("报告标题"), max_length=100, default="城市基层党建工作月度报告")
    opening = models.TextField(_("开头段落"), blank=True)
    closing = models.TextField(_("结尾段落"), blank=True)
    groups = models.JSONField(_("包含的指标组（按顺序）"), default=default_groups)
    docx = models.BinaryField(_("Word 模板"), null=True, blank=True)
    docx_name = models.CharField(_("Word 模板文件名"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("月度报告模板")
        verbose_name_plural = _("月度报告模板")

    def __str__(self) -> str:
        return f"{self.district} {self.title}"
