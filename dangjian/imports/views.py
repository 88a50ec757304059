import contextlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.audit.services import Action, audit_record
from dangjian.core.scoping import NO_SCOPE, active_role, scope_for
from dangjian.core.views import client_ip, querystring_without_page, require_roles

from . import exports, registry, selectors, services
from .forms import UploadForm
from .models import ImportJob, ImportMode, ImportStatus
from .permissions import IMPORT_ROLES, may_see_full_values
from .sheets import build_error_report, build_template

ERRORS_PER_PAGE = 30


def _kinds(user) -> list[str]:
    return registry.kinds_for_role(active_role(user))


def _home(request, form: UploadForm, *, status: int = 200):
    kinds = _kinds(request.user)
    role = active_role(request.user)
    # Each export is for the roles that reach its list page (as its app registered it).
    export_links = [
        {"label": e.label, "url": reverse(f"imports:{e.name}"), "personal": e.personal}
        for e in registry.exports()
        if e.label and (role == "superuser" or role in e.roles)
    ]
    context = {
        "form": form,
        "templates": [(kind, registry.label(kind)) for kind in kinds],
        "jobs": list(selectors.jobs_for(request.user).order_by("-created_at", "-pk")[:20]),
        "export_links": export_links,
        "can_export_full": may_see_full_values(request.user),
        "active_nav": "imports",
    }
    return render(request, "imports/home.html", context, status=status)


@require_roles(IMPORT_ROLES)
def home(request):
    kinds = _kinds(request.user)
    wanted = request.GET.get("kind")
    form = UploadForm(kinds=kinds, initial={"kind": wanted if wanted in kinds else (kinds[0] if kinds else None)})
    return _home(request, form)


@require_roles(IMPORT_ROLES)
@require_POST
def upload(request):
    form = UploadForm(request.POST, request.FILES, kinds=_kinds(request.user))
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.job_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                filename=upload.name,
                content=upload.read(),
                mode=form.cleaned_data["mode"] or ImportMode.CREATE,
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            _give_up_replaced(request)
            services.job_check_start(job)
            return redirect("imports:job", public_id=job.public_id)
    return _home(request, form)


def _give_up_replaced(request) -> None:
    """A corrected file uploaded from a job's page replaces that job: give the old one up."""
    replaced = request.POST.get("replaces", "")
    if not replaced:
        return
    try:
        old = selectors.job_for_user(request.user, replaced)
    except Http404:
        return
    if old.status in {ImportStatus.CHECKED, ImportStatus.FAILED, ImportStatus.UPLOADED}:
        with contextlib.suppress(ValidationError):  # it moved on meanwhile: nothing to give up
            services.job_cancel(actor=request.user, job=old)


@require_roles(IMPORT_ROLES)
def template_download(request, kind):
    if kind not in _kinds(request.user):
        raise Http404
    importer = registry.importer_for(kind, scope_for(request.user))
    response = HttpResponse(build_template(importer), content_type=exports.XLSX)
    filename = _("%(kind)s导入模板.xlsx") % {"kind": registry.label(kind)}
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_roles(IMPORT_ROLES)
def job_detail(request, public_id):
    job = selectors.job_for_user(request.user, public_id)
    errors = Paginator(job.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "job": job,
        "progress": services.live_progress(job),
        "page": errors,
        "querystring": querystring_without_page(request),
        "replace_form": UploadForm(kinds=[job.kind], initial={"kind": job.kind}),
        "transitions": list(job.transitions.order_by("at", "pk")),
        "active_nav": "imports",
    }
    return render(request, "imports/job.html", context)


@require_roles(IMPORT_ROLES)
def job_progress(request, public_id):
    """Polled by the job page while a check or an import runs; asks for a reload when it ends."""
    job = selectors.job_for_user(request.user, public_id)
    if not job.is_running:
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    return render(request, "imports/_progress.html", {"job": job, "progress": services.live_progress(job)})


def _job_step(request, public_id, step):
    job = selectors.job_for_user(request.user, public_id)
    try:
        job = step(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("imports:job", public_id=public_id)
    if job.status == ImportStatus.DONE:
        messages.success(request, _("已导入 %(n)s 条。") % {"n": job.imported_count})
    elif job.status == ImportStatus.FAILED and job.message:
        messages.error(request, job.message)
    elif job.status == ImportStatus.CHECKED and job.message:
        messages.warning(request, job.message)
    return redirect("imports:job", public_id=public_id)


@require_roles(IMPORT_ROLES)
@require_POST
def job_confirm(request, public_id):
    return _job_step(request, public_id, services.job_confirm)


@require_roles(IMPORT_ROLES)
@require_POST
def job_recheck(request, public_id):
    return _job_step(request, public_id, services.job_recheck)


@require_roles(IMPORT_ROLES)
@require_POST
def job_cancel(request, public_id):
    job = selectors.job_for_user(request.user, public_id)
    try:
        services.job_cancel(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("imports:job", public_id=public_id)
    messages.success(request, _("已放弃这次导入，未写入任何数据。"))
    return redirect("imports:home")


@require_roles(IMPORT_ROLES)
def job_error_report(request, public_id):
    """The uploaded file with its problems marked; an export of what the user uploaded (audited)."""
    job: ImportJob = selectors.job_for_user(request.user, public_id)
    if not job.error_count:
        raise Http404
    try:
        content = services._content(job)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("imports:job", public_id=public_id)
    report = build_error_report(
        content=content,
        importer=registry.importer_for(job.kind, NO_SCOPE),
        errors=job.errors,
        header_row=int(job.summary.get("header_row") or 1),
    )
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        obj=job,
        object_repr=_("导入错误报告（%(f)s）") % {"f": job.filename},
        changes={"error_report": True, "errors": job.error_count},
        area_path=job.area_path,
        ip=client_ip(request),
    )
    stem = job.filename.rsplit(".", 1)[0]
    return FileResponse(
        report, as_attachment=True, filename=_("%(f)s-错误报告.xlsx") % {"f": stem}, content_type=exports.XLSX
    )
