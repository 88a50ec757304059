"""The report's two files from its context: the PDF (WeasyPrint, the HTML template in CJK) and the
Word file (docxtpl: the district's .docx template or the default, rendered in a sandboxed Jinja with
the same figures and the charts as inline pictures). A Word template a district uploads is checked by
rendering it against a sample context; its error is told in Chinese with the words around it."""

from __future__ import annotations

import base64
import datetime
import io
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .context import ReportContext

DEFAULT_DOCX = Path(__file__).with_name("default_template.docx")
CHART_WIDTH_MM = 150


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot run here (pango missing)."""


class TemplateInvalid(ValueError):
    """A Word template that does not render; the message is for the district, in Chinese."""


def pdf_html(ctx: ReportContext, *, generated_at: datetime.datetime | None = None) -> str:
    """The report as the HTML WeasyPrint prints (the charts inline as data: URIs)."""
    groups = []
    for g in ctx.groups:
        part = asdict(g)
        for name in ("bar", "trend"):
            chart = part[name]
            if chart:
                chart["uri"] = "data:image/png;base64," + base64.b64encode(chart["png"]).decode()
        groups.append(part)
    r = {**asdict(ctx), "groups": groups, "month_label": ctx.month_label}
    return render_to_string(
        "cockpit/report/report_pdf.html", {"r": r, "generated_at": generated_at or timezone.localtime()}
    )


def pdf_bytes(ctx: ReportContext, *, generated_at: datetime.datetime | None = None) -> bytes:
    html = pdf_html(ctx, generated_at=generated_at)
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # pango missing: the app runs, the report says why not
        raise PdfUnavailable(_("生成 PDF 需要 pango 与中文字体（make pdf-deps）。")) from exc
    return HTML(string=html).write_pdf()


def docx_context(ctx: ReportContext, tpl: Any, *, generated_at: datetime.datetime | None = None) -> dict[str, Any]:
    """The Word template's variables (plain dicts and strings; charts as docxtpl InlineImage):

    title, district, month (2026 年 11 月), on, compare_on, opening, closing, generated_at,
    groups: [{key, label, rows: [{label, unit, value, change, target, definition, kind}], bar, trend}],
    changes: [{label, unit, value, change}].
    """
    from docx.shared import Mm
    from docxtpl import InlineImage

    def image(chart: dict[str, Any] | None) -> Any:
        if not chart:
            return ""
        return InlineImage(tpl, io.BytesIO(chart["png"]), width=Mm(CHART_WIDTH_MM))

    groups = []
    for g in ctx.groups:
        rows = [asdict(row) for row in g.rows]
        for row in rows:
            row["target"] = row["target"] or "—"
        groups.append({"key": g.key, "label": g.label, "rows": rows, "bar": image(g.bar), "trend": image(g.trend)})
    return {
        "title": ctx.title,
        "district": ctx.district,
        "month": ctx.month_label,
        "on": ctx.on.isoformat(),
        "compare_on": ctx.compare_on.isoformat(),
        "opening": ctx.opening,
        "closing": ctx.closing,
        "generated_at": f"{(generated_at or timezone.localtime()):%Y-%m-%d %H:%M}",
        "groups": groups,
        "changes": [{k: v for k, v in asdict(c).items() if k != "weight"} for c in ctx.changes],
    }


def _environment() -> Any:
    # A district's template runs in the sandbox: it reads the context's values and nothing else.
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(autoescape=True)


def docx_bytes(ctx: ReportContext, template: bytes | None = None, **kwargs: Any) -> bytes:
    """The Word file from `template` (a district's .docx) or the default one."""
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(template) if template else str(DEFAULT_DOCX))
    try:
        tpl.render(docx_context(ctx, tpl, **kwargs), jinja_env=_environment(), autoescape=True)
    except Exception as exc:
        raise TemplateInvalid(describe_error(exc)) from exc
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def describe_error(exc: Exception) -> str:
    """A template's error in Chinese, with the template's words where it happened."""
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    near = [line.strip() for line in getattr(exc, "docx_context", []) or [] if line.strip()]
    where = _("出错位置附近的文字：「%(text)s」。") % {"text": " / ".join(near)[:200]} if near else ""
    detail = getattr(exc, "message", None) or str(exc)
    if isinstance(exc, TemplateSyntaxError):
        return _("模板标签写法有误（%(detail)s）。%(where)s请检查 {{ }} 与 {%% %%} 是否成对、拼写是否正确。") % {
            "detail": detail,
            "where": where,
        }
    if isinstance(exc, UndefinedError):
        return _("模板用到了报告里没有的内容（%(detail)s）。%(where)s可用的变量见模板说明。") % {
            "detail": detail,
            "where": where,
        }
    if isinstance(exc, SecurityError):
        return _("模板用到了不允许的内容（%(detail)s）。%(where)s") % {"detail": detail, "where": where}
    return _("模板无法生成报告（%(kind)s: %(detail)s）。%(where)s") % {
        "kind": type(exc).__name__,
        "detail": detail,
        "where": where,
    }


def sample_context() -> ReportContext:
    """A small report with every part filled, to check an uploaded template against."""
    from . import charts
    from .context import Change, GroupPart, Row

    png = charts.bar_chart("示例", ["甲街道", "乙街道"], [3, 5], "个")
    row = Row("units", "驻区单位", "个", "12", "+2", "up", "10", True, "示例口径。", "时点数")
    today = timezone.localdate()
    return ReportContext(
        district="示例区",
        month=today.replace(day=1),
        on=today,
        compare_on=today,
        title="月度报告",
        opening="开头段落。",
        closing="结尾段落。",
        groups=[GroupPart("organization", "组织体系", [row], bar={"title": "示例", "png": png}, trend=None)],
        changes=[Change("驻区单位", "个", "12", "+2", "up", 1.0)],
    )


def validate_template(data: bytes) -> None:
    """Render `data` against the sample report; TemplateInvalid (in Chinese) when it does not."""
    import zipfile

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise TemplateInvalid(_("这不是 Word（.docx）文件，请在 Word 中另存为 .docx 后再上传。"))
    try:
        docx_bytes(sample_context(), data)
    except TemplateInvalid:
        raise
    except Exception as exc:
        raise TemplateInvalid(describe_error(exc)) from exc
