"""Every write of the monthly report: asking for a month's report (queued once per district and month;
asking again regenerates it, replacing that month's files), generating it (the queue's task, with its
progress), and the district's template (texts and groups, and its own Word template, checked before it
is kept). Each is audited."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.models import Action
from dangjian.audit.services import audit_record

from ..catalogue import GROUP_KEYS
from ..models import MonthlyReport, ReportStatus, ReportTemplate
from . import context, render

logger = logging.getLogger(__name__)


def template_for(district: Any) -> ReportTemplate:
    """The district's template (the defaults, unsaved, until the district edits it)."""
    found = ReportTemplate.objects.filter(district=district).first()
    return found if found is not None else ReportTemplate(district=district)


@transaction.atomic
def report_request(*, actor: Any, district: Any, month: datetime.date) -> tuple[MonthlyReport, bool]:
    """Queue the district's report of `month` (any day of it). A month already asked for is queued
    again (regenerated) unless it is being generated right now. Returns (report, queued)."""
    month = context.month_first(month)
    if month > timezone.localdate():
        raise ValidationError(_("不能生成未来月份的报告。"))
    user = actor if getattr(actor, "pk", None) else None
    report, created = MonthlyReport.objects.select_for_update().get_or_create(
        district=district, month=month, defaults={"requested_by": user}
    )
    if not created and report.is_running:
        return report, False
    if not created:
        report.status, report.progress, report.step, report.error = ReportStatus.QUEUED, 0, "", ""
        report.requested_by, report.requested_at = user, timezone.now()
        report.save(update_fields=["status", "progress", "step", "error", "requested_by", "requested_at"])
    report.step = _("排队等待生成")
    report.save(update_fields=["step"])
    audit_record(
        actor=user,
        action=Action.CREATE if created else Action.UPDATE,
        obj=report,
        object_repr=f"{district.name} {month:%Y-%m} 月度报告",
        changes={"status": [None, "queued"], "regenerate": [None, not created]},
        area_path=district.path,
    )
    from .tasks import report_generate_task

    pk = report.pk
    transaction.on_commit(lambda: report_generate_task(pk))
    return report, True


def _progress(report_id: int, percent: int, step: str, **fields: Any) -> None:
    MonthlyReport.objects.filter(pk=report_id).update(progress=min(100, percent), step=step[:100], **fields)


def report_generate(report_id: int) -> MonthlyReport:
    """Build the report's context, its charts, the PDF and the Word file, and keep them (the month's
    earlier files replaced). Each step writes the progress at once, so the page shows it. A failure
    is kept on the report (status failed, the reason in Chinese) and logged."""
    report = MonthlyReport.objects.select_related("district", "requested_by").get(pk=report_id)
    if report.status == ReportStatus.DONE:
        return report
    _progress(report.pk, 5, _("读取指标"), status=ReportStatus.RUNNING)
    try:
        template = template_for(report.district)
        ctx = context.build(
            report.district,
            report.month,
            template,
            progress=lambda percent, step: _progress(report_id, percent, step),
        )
        generated_at = timezone.localtime()
        _progress(report.pk, 75, _("生成 PDF"))
        pdf = render.pdf_bytes(ctx, generated_at=generated_at)
        _progress(report.pk, 88, _("生成 Word"))
        docx = render.docx_bytes(ctx, bytes(template.docx) if template.docx else None, generated_at=generated_at)
    except (render.PdfUnavailable, render.TemplateInvalid) as exc:
        return _failed(report, str(exc))
    except Exception as exc:
        logger.exception("cockpit report %s failed", report.pk)
        return _failed(report, _("生成失败：%(error)s") % {"error": type(exc).__name__})
    _progress(report.pk, 95, _("归档"))
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().select_related("district").get(pk=report_id)
        old = [f.name for f in (report.pdf, report.docx) if f and f.name]
        stem = f"{report.district.name}{report.month:%Y年%m月}月度报告"
        report.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        report.docx.save(f"{stem}.docx", ContentFile(docx), save=False)
        report.status, report.progress, report.step, report.error = ReportStatus.DONE, 100, _("已完成"), ""
        report.generated_at, report.generated_by = timezone.now(), report.requested_by
        report.save()
        audit_record(
            actor=report.requested_by,
            action=Action.EXPORT,
            obj=report,
            object_repr=f"{report.district.name} {report.month:%Y-%m} 月度报告",
            changes={"status": [None, "done"], "files": [old or None, [report.pdf.name, report.docx.name]]},
            area_path=report.district.path,
        )
        kept = {report.pdf.name, report.docx.name}
        storage = report.pdf.storage
        stale = [name for name in old if name and name not in kept]

        def delete_stale() -> None:
            for name in stale:
                storage.delete(name)

        transaction.on_commit(delete_stale)
    return report


def _failed(report: MonthlyReport, message: str) -> MonthlyReport:
    _progress(report.pk, 100, _("失败"), status=ReportStatus.FAILED, error=message)
    report.refresh_from_db()
    return report


@transaction.atomic
def template_save(
    *, actor: Any, district: Any, title: str, opening: str, closing: str, groups: list[str]
) -> ReportTemplate:
    """The district's texts and groups (in their order; unknown keys refused)."""
    unknown = [g for g in groups if g not in GROUP_KEYS]
    if unknown or not groups:
        raise ValidationError(
            _("请至少选择一个指标组。") if not groups else _("未知的指标组：%(keys)s") % {"keys": unknown}
        )
    template = _locked_template(district) or ReportTemplate(district=district)
    before = {
        "title": template.title,
        "opening": template.opening,
        "closing": template.closing,
        "groups": template.groups,
    }
    template.title, template.opening, template.closing, template.groups = title, opening, closing, list(groups)
    template.updated_by = actor
    template.save()
    after = {"title": title, "opening": opening, "closing": closing, "groups": list(groups)}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    _audit_template(actor, district, "月度报告模板", changes)
    return template


def _locked_template(district: Any) -> ReportTemplate | None:
    return ReportTemplate.objects.select_for_update().filter(district=district).first()


def _audit_template(actor: Any, district: Any, what: str, changes: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="cockpit.reporttemplate",
        object_id=str(district.public_id),
        object_repr=f"{district.name} {what}",
        changes=changes,
        area_path=district.path,
    )


MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


@transaction.atomic
def template_upload(*, actor: Any, district: Any, name: str, data: bytes) -> ReportTemplate:
    """Keep the district's own Word template once it renders against the sample report; otherwise
    ValidationError with the reason in Chinese, nothing kept."""
    if len(data) > MAX_TEMPLATE_BYTES:
        raise ValidationError(_("Word 模板不能超过 5 MB。"))
    try:
        render.validate_template(data)
    except render.TemplateInvalid as exc:
        raise ValidationError(str(exc)) from exc
    template = _locked_template(district) or ReportTemplate(district=district)
    old = template.docx_name
    template.docx, template.docx_name, template.updated_by = data, name[:200], actor
    template.save()
    _audit_template(actor, district, "月度报告 Word 模板", {"docx": [old or None, name]})
    return template


@transaction.atomic
def template_docx_clear(*, actor: Any, district: Any) -> None:
    """Back to the default Word template."""
    template = _locked_template(district)
    if template is None or not template.docx:
        return
    old = template.docx_name
    template.docx, template.docx_name, template.updated_by = None, "", actor
    template.save()
    _audit_template(actor, district, "月度报告 Word 模板", {"docx": [old, None]})


def monthly_queue(today: datetime.date | None = None) -> int:
    """Last month's report for every district that has none yet (the first of each month)."""
    from dangjian.territory.models import Area, Level

    month = context.last_month(today)
    have = set(MonthlyReport.objects.filter(month=month).values_list("district_id", flat=True))
    queued = 0
    for district in Area.objects.filter(level=Level.DISTRICT).exclude(pk__in=have).order_by("path"):
        report_request(actor=None, district=district, month=month)
        queued += 1
    return queued
