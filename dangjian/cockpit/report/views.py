"""月度报告: the district's reports by month (status and progress polled while generating, the PDF
and the Word file), asking for a month's report, and the district's template (texts, groups, its
own Word template). District admins (TARGET_ROLES) of the district only; anyone else 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.audit.models import Action
from dangjian.audit.services import audit_record
from dangjian.core.views import require_roles

from ..permissions import TARGET_ROLES
from . import context, selectors, services
from . import render as report_render
from .forms import MonthForm, TemplateForm, UploadForm

ROLES = TARGET_ROLES
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NAV = "cockpit"
DOCX_HELP = gettext_lazy(
    "Word 版报告按此模板生成。下载后在 Word 里修改文字、字体、版头，保留 {{ }} 和 {% %} 标记"
    "（如 {{ title }}、{{ month }}、{% for g in groups %}），另存为 .docx 后上传；"
    "上传时先用示例数据试生成，有错不会保存。"
)


def _first_error(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@require_roles(ROLES)
@require_GET
def report_list(request):
    district = selectors.district_of(request.user)
    reports = list(selectors.reports(district)[:60])
    form = MonthForm(initial={"month": f"{context.last_month():%Y-%m}"})
    return render(
        request,
        "cockpit/report/list.html",
        {"district": district, "reports": reports, "form": form, "active_nav": NAV},
    )


@require_roles(ROLES)
@require_POST
def report_generate(request):
    district = selectors.district_of(request.user)
    form = MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("cockpit:reports")
    try:
        report, queued = services.report_request(
            actor=request.user, district=district, month=form.cleaned_data["month"]
        )
    except ValidationError as exc:
        messages.error(request, _first_error(exc))
        return redirect("cockpit:reports")
    if queued:
        messages.success(
            request, _("%(month)s的报告已进入后台生成，完成后可下载 PDF 与 Word。") % {"month": report.label}
        )
    else:
        messages.info(request, _("%(month)s的报告正在生成，请稍候。") % {"month": report.label})
    return redirect("cockpit:reports")


@require_roles(ROLES)
@require_GET
def report_progress(request, public_id):
    report = selectors.report_get(selectors.district_of(request.user), public_id)
    return render(request, "cockpit/report/_row.html", {"r": report})


@require_roles(ROLES)
@require_GET
def report_download(request, public_id, kind):
    if kind not in ("pdf", "docx"):
        raise Http404
    district = selectors.district_of(request.user)
    report = selectors.report_get(district, public_id)
    stored = report.pdf if kind == "pdf" else report.docx
    if not stored:
        raise Http404
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        obj=report,
        object_repr=f"{district.name} {report.month:%Y-%m} 月度报告",
        changes={"format": [None, kind]},
        area_path=district.path,
    )
    name = f"{district.name}{report.month:%Y年%m月}月度报告.{kind}"
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=name,
        content_type="application/pdf" if kind == "pdf" else DOCX,
    )


@require_roles(ROLES)
@require_http_methods(["GET", "POST"])
def template_edit(request):
    district = selectors.district_of(request.user)
    template = services.template_for(district)
    form = TemplateForm(
        request.POST or None,
        groups=list(template.groups or []),
        initial={"title": template.title, "opening": template.opening, "closing": template.closing},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.template_save(
            actor=request.user,
            district=district,
            title=data["title"],
            opening=data["opening"],
            closing=data["closing"],
            groups=data["groups"],
        )
        messages.success(request, _("报告模板已保存，之后生成的报告按新模板。"))
        return redirect("cockpit:report_template")
    return _template_page(request, district, template, form, UploadForm())


def _template_page(request, district, template, form, upload, status=200):
    return render(
        request,
        "cockpit/report/template.html",
        {
            "district": district,
            "template": template,
            "form": form,
            "upload": upload,
            "docx_help": DOCX_HELP,
            "active_nav": NAV,
        },
        status=status,
    )


@require_roles(ROLES)
@require_POST
def template_upload(request):
    district = selectors.district_of(request.user)
    upload = UploadForm(request.POST, request.FILES)
    template = services.template_for(district)
    form = TemplateForm(
        groups=list(template.groups or []),
        initial={"title": template.title, "opening": template.opening, "closing": template.closing},
    )
    if upload.is_valid():
        f = upload.cleaned_data["file"]
        if not f.name.lower().endswith(".docx"):
            upload.add_error("file", _("请上传 .docx 格式的 Word 文件。"))
        elif f.size > services.MAX_TEMPLATE_BYTES:
            upload.add_error("file", _("Word 模板不能超过 5 MB。"))
        else:
            try:
                services.template_upload(actor=request.user, district=district, name=f.name, data=f.read())
            except ValidationError as exc:
                upload.add_error("file", _first_error(exc))
            else:
                messages.success(request, _("Word 模板已通过检查并保存，之后生成的 Word 报告按此模板。"))
                return redirect("cockpit:report_template")
    return _template_page(request, district, template, form, upload, status=400)


@require_roles(ROLES)
@require_POST
def template_reset(request):
    district = selectors.district_of(request.user)
    services.template_docx_clear(actor=request.user, district=district)
    messages.success(request, _("已恢复默认 Word 模板。"))
    return redirect("cockpit:report_template")


@require_roles(ROLES)
@require_GET
def template_download(request):
    """The district's Word template (its own, else the default) to edit in Word."""
    district = selectors.district_of(request.user)
    template = services.template_for(district)
    if template.docx:
        data, name = bytes(template.docx), template.docx_name or "月度报告模板.docx"
    else:
        data, name = report_render.DEFAULT_DOCX.read_bytes(), "月度报告默认模板.docx"
    response = HttpResponse(data, content_type=DOCX)
    from django.utils.encoding import escape_uri_path

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
    return response
