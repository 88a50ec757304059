"""Import jobs: upload → check → (confirm) → import, each step an explicit, race-safe transition.

Nothing is written to the domain tables until the uploader confirms a clean check; the import
then checks the file again (data may have changed since the preview) and writes every row in
one transaction, or none. Large files are checked and imported by a queue worker; the page
follows the progress, which is kept in the queue's key-value store so that it is visible while
the import's transaction is still open.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import HUEY

from dangjian.accounts.models import RoleAssignment
from dangjian.accounts.roles import active_assignment
from dangjian.audit.services import Action, audit_record
from dangjian.core.locks import held, is_free
from dangjian.core.scoping import Scope, acting_user, active_role

from . import registry
from .conf import setting
from .engine import Importer, Writer, gc_paused
from .inserts import pk_ranges, ranges_text
from .models import (
    TRANSITIONS,
    ImportJob,
    ImportJobTransition,
    ImportMode,
    ImportStatus,
    ImportUpload,
)
from .workbook import WorkbookError, workbook_size

logger = logging.getLogger(__name__)
S = ImportStatus
CHECK_SHARE = 0.4  # of an import's progress bar: the re-check; the rest is writing


class JobChanged(Exception):
    """The job's status changed under us (given up, or taken as lost): roll the import back."""


# -- transitions ----------------------------------------------------------------------------------
def transition(
    job: ImportJob, to: str, *, actor: Any = None, note: str = "", require: dict | None = None, **fields
) -> bool:
    """Move the job to `to` if the table allows it from its current status. A conditional UPDATE:
    of two workers trying the same step, exactly one succeeds. Returns whether this one did."""
    current = ImportJob.objects.filter(pk=job.pk).values_list("status", flat=True).first()
    if current is None or to not in TRANSITIONS.get(current, set()):
        return False
    with transaction.atomic():
        updated = ImportJob.objects.filter(pk=job.pk, status=current, **(require or {})).update(
            status=to, updated_at=timezone.now(), **fields
        )
        if not updated:
            return False
        ImportJobTransition.objects.create(
            job=job, from_status=current, to_status=to, actor=acting_user(actor), note=note[:500]
        )
    job.status = to
    for name, value in fields.items():
        setattr(job, name, value)
    return True


# -- progress -------------------------------------------------------------------------------------
def _progress_key(job: ImportJob) -> str:
    return f"imports:progress:{job.public_id}"


def set_live_progress(job: ImportJob, percent: int) -> None:
    try:
        HUEY.put(_progress_key(job), int(percent))
    except Exception:  # progress is a courtesy; the work goes on without it
        logger.warning("could not store import progress", exc_info=True)


def live_progress(job: ImportJob) -> int:
    """Progress 0–100 of a running job as the worker last reported it; the stored figure otherwise."""
    if job.status in {S.CHECKING, S.IMPORTING}:
        try:
            value = HUEY.get(_progress_key(job), peek=True)
        except Exception:
            value = None
        if value is not None:
            return max(0, min(100, int(value)))
    return job.progress


def _clear_live_progress(job: ImportJob) -> None:
    try:
        HUEY.delete(_progress_key(job))
    except Exception:
        logger.warning("could not clear import progress", exc_info=True)


def _reporter(job: ImportJob, start: float, share: float):
    last = [-1]

    def report(fraction: float) -> None:
        percent = int(round(100 * (start + share * max(0.0, min(1.0, fraction)))))
        if percent != last[0]:
            last[0] = percent
            set_live_progress(job, percent)

    return report


# -- scope ------------------------------------------------------------------------------------------
def job_scope(job: ImportJob) -> Scope:
    """The uploader's scope as it was at upload; refused when that role is gone."""
    user = job.created_by
    if user is None or not user.is_active:
        raise ValidationError(_("上传人的账号已停用，无法继续处理。"))
    if job.role_assignment_id is None:
        if user.is_superuser and not job.area_path:
            return Scope(role="superuser", everything=True)
        raise ValidationError(_("上传时的角色已不存在，请重新上传。"))
    assignment = RoleAssignment.objects.select_related("area").filter(pk=job.role_assignment_id).first()
    if assignment is None or not assignment.is_active or assignment.user_id != user.pk:
        raise ValidationError(_("上传时的角色已停用，请重新上传。"))
    return assignment.to_scope()


def _acting_user(job: ImportJob) -> Any:
    """The uploader, acting in the role they uploaded in (for audit rows written by a worker)."""
    user = job.created_by
    if user is not None and job.role_assignment_id:
        user.active_role_id = job.role_assignment_id  # type: ignore[attr-defined]  # as the middleware sets it
    return user


def _check_owner(actor: Any, job: ImportJob) -> None:
    if acting_user(actor) is None or actor.pk != job.created_by_id:
        raise ValidationError(_("只有上传人可以操作这次导入。"))


# -- upload ---------------------------------------------------------------------------------------
@transaction.atomic
def job_create(*, actor: Any, kind: str, filename: str, content: bytes, mode: str = ImportMode.CREATE) -> ImportJob:
    """Store an uploaded workbook as a job (status 已上传). Checking it is the next step.
    `mode` 更新 changes existing records (matched on their code or ID number) instead of adding rows."""
    cls = registry.get(kind)
    if cls is None:
        raise ValidationError(_("不支持的导入类型。"))
    if mode not in ImportMode.values:
        raise ValidationError(_("不支持的导入方式。"))
    role = active_role(actor)
    if role != "superuser" and role not in cls.allowed_roles:
        raise ValidationError(_("您当前的角色不能导入%(kind)s。") % {"kind": registry.label(kind)}, code="forbidden")
    if not content:
        raise ValidationError(_("文件是空的。"))
    if len(content) > setting("IMPORT_MAX_BYTES"):
        raise ValidationError(
            _("文件过大（上限 %(n)s MB），请拆分后分批导入。") % {"n": setting("IMPORT_MAX_BYTES") // (1024 * 1024)}
        )
    try:
        rows, xml_bytes = workbook_size(content, cls.title)
    except WorkbookError as exc:
        raise ValidationError(str(exc)) from exc
    # The declared size may be missing or wrong: a large sheet goes to the background either way.
    background = (rows or 0) > setting("IMPORT_BACKGROUND_ROWS") or xml_bytes > setting("IMPORT_BACKGROUND_BYTES")
    assignment = active_assignment(actor) if role != "superuser" else None
    job = ImportJob.objects.create(
        kind=kind,
        filename=(filename or "upload.xlsx")[-200:],
        file_size=len(content),
        created_by=actor,
        role_assignment=assignment,
        role=role,
        area_path=assignment.area.path if assignment is not None and assignment.area is not None else "",
        background=background,
        mode=mode,
    )
    ImportUpload.objects.create(job=job, content=content)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=job,
        changes={
            "kind": [None, kind],
            "mode": [None, mode],
            "filename": [None, job.filename],
            "size": [None, len(content)],
        },
        area_path=job.area_path,
    )
    return job


def job_check_start(job: ImportJob) -> ImportJob:
    """Check now (small files) or hand the check to a queue worker (large ones)."""
    if job.background:
        from .tasks import check_job_task

        _enqueue(job, check_job_task)
        return job
    return job_check_run(job.pk)


def _enqueue(job: ImportJob, task: Any) -> None:
    try:
        task(job.pk)
    except Exception:
        logger.exception("could not queue import work: job %s", job.public_id)
        _fail(job, _("无法提交后台任务（任务队列不可用），未写入任何数据。请稍后重新检查。"))


def job_lock_name(job_id: int) -> str:
    """The lock a run of the job holds while it checks or imports (core.locks: freed if it dies)."""
    return f"imports.job:{job_id}"


def job_check_run(job_id: int) -> ImportJob:
    """The check: every row, every cell; names and duplicates in bulk. Writes only the job. A run
    that finds another one running the job leaves it alone."""
    with held(job_lock_name(job_id)) as acquired:
        if not acquired:
            return ImportJob.objects.get(pk=job_id)
        return _job_check_run(job_id)


def _job_check_run(job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not transition(job, S.CHECKING, progress=0, message=""):
        return job  # someone else is checking it, or it moved on
    set_live_progress(job, 0)
    try:
        scope = job_scope(job)
        content = _content(job)
        result = registry.importer_for(job.kind, scope, mode=job.mode).check(content, progress=_reporter(job, 0.0, 1.0))
    except (ValidationError, WorkbookError) as exc:
        _fail(job, _message(exc))
        return job
    except Exception:
        logger.exception("import check failed: job %s", job.public_id)
        _fail(job, _("检查时出现意外错误，未写入任何数据。请稍后重试或联系管理员。"))
        return job
    ImportUpload.objects.filter(job=job).update(parsed_rows=result.parsed_rows)
    transition(job, S.CHECKED, **_check_fields(result))
    _clear_live_progress(job)
    return job


def _check_fields(result) -> dict[str, Any]:
    stored = [p.as_dict() for p in result.problems[: setting("IMPORT_MAX_STORED_ERRORS")]]
    return {
        "total_rows": result.total_rows,
        "skipped_rows": result.skipped_examples,
        "error_count": result.error_count,
        "error_rows": result.error_rows,
        "errors": stored,
        "preview": {"columns": result.preview_columns, "rows": result.preview_rows},
        "summary": {"header_row": result.header_row},
        "progress": 100,
        "checked_at": timezone.now(),
    }


def _content(job: ImportJob) -> bytes:
    upload = ImportUpload.objects.filter(job=job).values_list("content", flat=True).first()
    if upload is None:
        raise ValidationError(_("上传的文件已不在系统中（已过保留期），请重新上传。"))
    return bytes(upload)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


def _fail(job: ImportJob, message: str) -> None:
    transition(job, S.FAILED, message=message[:500], finished_at=timezone.now())
    _clear_live_progress(job)


def job_recheck(*, actor: Any, job: ImportJob) -> ImportJob:
    """Check again (after a failure, or to see whether the data changed)."""
    _check_owner(actor, job)
    if job.status not in {S.CHECKED, S.FAILED}:
        raise ValidationError(_("当前状态（%(s)s）不能重新检查。") % {"s": job.get_status_display()})
    if job.background:
        from .tasks import check_job_task

        _enqueue(job, check_job_task)
        return job
    return job_check_run(job.pk)


# -- confirm and import -----------------------------------------------------------------------------
def job_confirm(*, actor: Any, job: ImportJob) -> ImportJob:
    """The uploader confirms a clean check. Of two confirms at once, only one goes on."""
    _check_owner(actor, job)
    if job.status != S.CHECKED or job.error_count or not job.total_rows:
        raise ValidationError(_("只有检查无误的导入才能确认。"))
    if not transition(job, S.IMPORTING, actor=actor, require={"error_count": 0}, progress=0, message=""):
        raise ValidationError(_("这次导入已经确认过（或状态已变化），不会重复导入。"), code="raced")
    set_live_progress(job, 0)
    if job.background:
        from .tasks import import_job_task

        _enqueue(job, import_job_task)
        return job
    return job_import_run(job.pk)


def job_import_run(job_id: int) -> ImportJob:
    """Check again, then write every row in one transaction — or, on any failure, nothing. One run
    at a time (the job's lock); the DONE step is written in the same transaction as the rows, so a
    run queued twice writes once. The run marks its start (progress 1) so that jobs_recover can tell
    an import lost from the queue (re-queued) from one whose worker died (failed)."""
    with held(job_lock_name(job_id)) as acquired:
        if not acquired:
            return ImportJob.objects.get(pk=job_id)
        ImportJob.objects.filter(pk=job_id, status=S.IMPORTING, progress=0).update(
            progress=1, updated_at=timezone.now()
        )
        return _job_import_run(job_id)


def _job_import_run(job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != S.IMPORTING:
        return job
    try:
        scope = job_scope(job)
        importer = registry.importer_for(job.kind, scope, mode=job.mode)
        parsed_rows = ImportUpload.objects.filter(job=job).values_list("parsed_rows", flat=True).first()
        result = importer.check(
            _content(job),
            progress=_reporter(job, 0.0, CHECK_SHARE),
            parsed_rows=bytes(parsed_rows) if parsed_rows else None,
        )
    except (ValidationError, WorkbookError) as exc:
        _fail(job, _message(exc))
        return job
    except Exception:
        logger.exception("import re-check failed: job %s", job.public_id)
        _fail(job, _("导入前的复查出现意外错误，未写入任何数据。"))
        return job
    if result.error_count:
        fields = _check_fields(result)
        transition(
            job,
            S.CHECKED,
            note="recheck found problems",
            **{
                **fields,
                "message": _("数据在预览之后有变化：复查发现 %(n)s 处问题，未写入任何数据。请查看下方错误。")
                % {"n": result.error_count},
            },
        )
        _clear_live_progress(job)
        return job
    try:
        with transaction.atomic():
            counts = _write(job, importer, result)
    except JobChanged:
        job.refresh_from_db()
        return job
    except DatabaseError as exc:
        logger.warning("import write refused by the database: job %s: %s", job.public_id, exc)
        _fail(
            job,
            _(
                "写入时数据库拒绝了其中一行（可能有人同时录入了相同的数据），已全部撤销，未写入任何数据。"
                "请重新检查后再导入。（%(e)s）"
            )
            % {"e": str(exc).splitlines()[0][:200]},
        )
        return job
    except Exception:
        logger.exception("import write failed: job %s", job.public_id)
        _fail(job, _("写入时出现意外错误，已全部撤销，未写入任何数据。"))
        return job
    ImportUpload.objects.filter(job=job).delete()  # done: the file is no longer needed
    _clear_live_progress(job)
    job.refresh_from_db()
    logger.info("import done: job %s, %s", job.public_id, counts)
    return job


def _write(job: ImportJob, importer: Importer, result) -> dict[str, int]:
    actor = _acting_user(job)
    writer = Writer(
        actor=actor,
        actor_name=(actor.full_name or actor.username) if actor else "系统",
        role=job.role if job.role != "superuser" else "",
        job_public_id=str(job.public_id),
        batch_size=setting("IMPORT_BATCH_SIZE"),
        progress=_reporter(job, CHECK_SHARE, 1 - CHECK_SHARE),
    )
    with gc_paused():
        counts = importer.write(result.rows, writer)
    imported = len(result.rows)
    written = {label: pk_ranges(pks) for label, pks in writer.created.items() if pks}
    summary = {**job.summary, **counts, "header_row": result.header_row, "audit_rows": writer.audit_rows}
    # One audit row for the whole import, naming every row it created (by primary-key range).
    audit_record(
        actor=actor,
        action=Action.IMPORT,
        obj=job,
        object_repr=_("导入%(kind)s %(n)s 条（%(f)s）") % {"kind": job.kind_label, "n": imported, "f": job.filename},
        changes={
            "kind": job.kind,
            "filename": job.filename,
            "rows": imported,
            **counts,
            "written": {label: ranges_text(ranges) for label, ranges in written.items()},
        },
        area_path=job.area_path,
    )
    done = transition(
        job,
        S.DONE,
        note=f"{imported} rows",
        imported_count=imported,
        total_rows=result.total_rows,
        summary=summary,
        written=written,
        progress=100,
        finished_at=timezone.now(),
    )
    if not done:  # given up or taken as lost meanwhile: undo everything
        raise JobChanged
    return counts


# -- giving up, housekeeping --------------------------------------------------------------------------
@transaction.atomic
def job_cancel(*, actor: Any, job: ImportJob) -> ImportJob:
    _check_owner(actor, job)
    before = job.status
    if not transition(job, S.CANCELLED, actor=actor, finished_at=timezone.now()):
        raise ValidationError(_("当前状态（%(s)s）不能放弃。") % {"s": job.get_status_display()})
    ImportUpload.objects.filter(job=job).delete()
    audit_record(
        actor=actor, action=Action.UPDATE, obj=job, changes={"status": [before, S.CANCELLED]}, area_path=job.area_path
    )
    return job


def jobs_housekeeping(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Mark checks and imports whose worker died as failed; drop old uploaded files."""
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(minutes=setting("IMPORT_STALE_MINUTES"))
    lost = 0
    for job in ImportJob.objects.filter(status__in=[S.CHECKING, S.IMPORTING], updated_at__lt=stale_before):
        if transition(
            job,
            S.FAILED,
            note="stale",
            message=_("后台处理中断（长时间没有进展），未写入任何数据。请重新检查。"),
            finished_at=now,
        ):
            lost += 1
    keep_after = now - datetime.timedelta(days=setting("IMPORT_RETENTION_DAYS"))
    dropped, _detail = ImportUpload.objects.filter(job__created_at__lt=keep_after).delete()
    return {"stale_jobs": lost, "files_deleted": dropped}


def jobs_recover(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Work lost from the queue, found again from the jobs' own rows (every few minutes):

    - a job uploaded but never checked, or confirmed but whose import never started, for more than
      IMPORT_REQUEUE_MINUTES: its check / import is queued again (running one twice is harmless:
      the job's lock and its conditional steps let one run do the work);
    - a check or import that started but that nobody runs any more (its lock is free: the worker
      died mid-way) is marked failed. Nothing was written (the import writes in one transaction);
      the uploader checks again and confirms. It is not re-run by itself: a file that kills its
      worker would otherwise do it again and again.
    """
    from .tasks import check_job_task, import_job_task

    now = now or timezone.now()
    before = now - datetime.timedelta(minutes=setting("IMPORT_REQUEUE_MINUTES"))
    counts = {"requeued_checks": 0, "requeued_imports": 0, "lost_runs": 0}
    old = ImportJob.objects.filter(updated_at__lt=before)
    for job in old.filter(status=S.UPLOADED):
        if is_free(job_lock_name(job.pk)):
            check_job_task(job.pk)
            counts["requeued_checks"] += 1
    for job in old.filter(status=S.IMPORTING, progress=0):
        if is_free(job_lock_name(job.pk)):
            import_job_task(job.pk)
            counts["requeued_imports"] += 1
    for job in old.filter(status__in=[S.CHECKING, S.IMPORTING]).exclude(status=S.IMPORTING, progress=0):
        if is_free(job_lock_name(job.pk)) and transition(
            job,
            S.FAILED,
            note="worker lost",
            message=_("后台处理中断（处理它的进程已停止），未写入任何数据。请重新检查。"),
            finished_at=now,
        ):
            _clear_live_progress(job)
            counts["lost_runs"] += 1
    if any(counts.values()):
        logger.warning("import jobs recovered: %s", counts)
    return counts
