"""A meeting record: what was planned, the attendance (run on the meeting engine's page: QR sign-in,
sign-in by the recorder, absentees with reasons, minutes), photos and attachments, and the steps."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.idempotency import idempotent
from dangjian.core.views import require_roles
from dangjian.core.workflow import StaleObject, TransitionRefused
from dangjian.meetings import counting
from dangjian.meetings.selectors import roster

from .. import selectors
from ..forms import FilesForm
from ..models import FileKind, RecordFile, RecordStatus
from ..permissions import RUN_ROLES, may_run
from ..services import records as services
from ..workflow import FLOW, Party, Step


def _flash(request, exc: Exception) -> None:
    for message in getattr(exc, "messages", [str(exc)]):
        messages.error(request, message)


@require_roles(RUN_ROLES)
def record(request, public_id):
    rec = selectors.record_get(request.user, public_id)
    runs = may_run(request.user, rec.org)
    meeting = rec.meeting
    files = list(rec.files.all())
    context = {
        "record": rec,
        "org": rec.org,
        "meeting": meeting,
        "tally": counting.tally(meeting) if meeting is not None else None,
        "roster": roster(meeting) if meeting is not None else [],
        "photos": [f for f in files if f.kind == FileKind.PHOTO],
        "attachments": [f for f in files if f.kind == FileKind.ATTACHMENT],
        "steps": [(s, FLOW.step_label(s), FLOW.steps[s]) for s in FLOW.allowed_steps(rec.status, {Party.SECRETARY})]
        if runs
        else [],
        "runs": runs,
        "files_form": FilesForm(),
        "held": rec.status == RecordStatus.HELD,
        "active_nav": "orglife",
    }
    return render(request, "orglife/record.html", context)


@require_roles(RUN_ROLES)
@require_POST
def record_step(request, public_id):
    rec = selectors.record_get(request.user, public_id)
    step = request.POST.get("step", "")
    if step not in (Step.HOLD, Step.CANCEL):
        raise Http404
    try:
        version = int(request.POST.get("version") or 0) or None
    except ValueError:
        version = None
    note = request.POST.get("note", "")
    try:
        if step == Step.HOLD:
            services.record_hold(actor=request.user, record=rec, version=version, note=note)
        else:
            services.record_cancel(actor=request.user, record=rec, version=version, note=note)
    except (ValidationError, TransitionRefused, StaleObject) as exc:
        _flash(request, exc)
    else:
        messages.success(request, str(FLOW.steps[step].done_message) % {"obj": FLOW.describe(rec)})
    return redirect("orglife:record", public_id=rec.public_id)


@require_roles(RUN_ROLES)
@require_POST
@idempotent
def record_files(request, public_id):
    rec = selectors.record_get(request.user, public_id)
    form = FilesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择照片或附件。"))
        return redirect("orglife:record", public_id=rec.public_id)
    try:
        made = services.record_files_add(
            actor=request.user, record=rec, kind=form.cleaned_data["kind"], uploads=request.FILES.getlist("files")
        )
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("已上传 %(n)s 个文件。") % {"n": len(made)})
    return redirect("orglife:record", public_id=rec.public_id)


@require_roles(RUN_ROLES)
def record_file(request, public_id, pk):
    rec = selectors.record_get(request.user, public_id)
    row = RecordFile.objects.filter(record=rec, pk=pk).first()
    if row is None or not row.file:
        raise Http404
    return FileResponse(row.file.open("rb"), as_attachment=row.kind == FileKind.ATTACHMENT, filename=row.name)
