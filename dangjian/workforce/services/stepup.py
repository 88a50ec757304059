"""The yearly step-up: a run per district and year (started once; a second start returns the first)
checks every placed worker against the ladder in force and proposes one grade up where the worker has
served the N years (less the education credit) at the grade and is below the post's top. Proposals are
once per worker and year (a unique constraint), so running again, or a queue that runs the task twice,
proposes nothing twice. A district admin approves or rejects each (workflow `workforce.stepup`)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.workflow import take_step

from ..ladder import LadderTable, full_years
from ..models import (
    GradeReason,
    GradeRecord,
    Ladder,
    LadderStatus,
    ProposalStatus,
    RunStatus,
    StepUpLog,
    StepUpProposal,
    StepUpRun,
    Worker,
)
from ..permissions import require_district_admin
from ..workflow import CREATE, STEPUP_FLOW

BATCH = 1000


def run_day(year: int) -> datetime.date:
    """The day the N-year rule is read on: the first of January of the run's year."""
    return datetime.date(year, 1, 1)


@transaction.atomic
def stepup_run_start(*, actor: Any, district: Any, year: int) -> tuple[StepUpRun, bool]:
    """The district's run for `year` (created and queued once; (run, created))."""
    require_district_admin(actor, district.path)
    ladder = Ladder.objects.filter(district=district, status=LadderStatus.ACTIVE).first()
    if ladder is None:
        raise ValidationError(_("本区还没有执行中的岗位等级薪酬方案。"))
    run, created = StepUpRun.objects.get_or_create(
        district=district,
        year=year,
        defaults={"ladder": ladder, "started_by": actor if getattr(actor, "pk", None) else None},
    )
    if created or run.status != RunStatus.DONE:
        from ..tasks import stepup_run_task

        run_pk = run.pk
        transaction.on_commit(lambda: stepup_run_task(run_pk))
    return run, created


def stepup_run_execute(run_id: int, *, batch: int = BATCH) -> StepUpRun:
    """Check every placed worker of the run's district (safe to run twice: the progress restarts, the
    proposals already made stay). Each batch is its own transaction, so the page shows the progress."""
    with transaction.atomic():
        run = StepUpRun.objects.select_for_update().get(pk=run_id)
        if run.status == RunStatus.DONE:
            return run
        workers = Worker.objects.filter(active=True, post__ladder_id=run.ladder_id, area_path__startswith=run.area_path)
        run.total = workers.count()
        run.done = 0
        run.status = RunStatus.RUNNING
        run.save(update_fields=["total", "done", "status"])
    table = LadderTable.load(Ladder.objects.get(pk=run.ladder_id))
    on = run_day(run.year)
    last = 0
    while True:
        rows: list[Any] = list(
            workers.filter(pk__gt=last)
            .order_by("pk")
            .values("pk", "area_path", "post_id", "grade", "grade_since", "education")[:batch]
        )
        if not rows:
            break
        last = rows[-1]["pk"]
        _propose(run, table, on, rows)
    with transaction.atomic():
        run = StepUpRun.objects.select_for_update().get(pk=run_id)
        run.status = RunStatus.DONE
        run.proposed = run.proposals.count()
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "proposed", "finished_at"])
    return run


@transaction.atomic
def _propose(run: StepUpRun, table: LadderTable, on: datetime.date, rows: list[dict[str, Any]]) -> None:
    have = set(
        StepUpProposal.objects.filter(year=run.year, worker_id__in=[r["pk"] for r in rows]).values_list(
            "worker_id", flat=True
        )
    )
    new = []
    for r in rows:
        if r["pk"] in have or r["grade_since"] is None:
            continue
        post = table.posts_by_pk[r["post_id"]]
        to = table.step_up(post, r["grade"], r["grade_since"], r["education"], on)
        if to is not None:
            new.append(
                StepUpProposal(
                    run=run,
                    worker_id=r["pk"],
                    area_path=r["area_path"],
                    year=run.year,
                    post_id=post.pk,
                    from_grade=r["grade"],
                    to_grade=to,
                    years_at_grade=full_years(r["grade_since"], on),
                )  # fmt: skip
            )
    if new:
        StepUpProposal.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
        made = StepUpProposal.objects.filter(year=run.year, worker_id__in=[p.worker_id for p in new], run=run)
        now = timezone.now()
        StepUpLog.objects.bulk_create(
            [
                StepUpLog(proposal_id=pk, at=now, actor_label=_("系统"), step=CREATE, to_status=ProposalStatus.PROPOSED)
                for pk in made.exclude(log__step=CREATE).values_list("pk", flat=True)
            ],
            batch_size=BATCH,
        )
    run.done += len(rows)
    StepUpRun.objects.filter(pk=run.pk).update(done=run.done)


def proposal_step(
    *, actor: Any, proposal: StepUpProposal, step: str, version: int | None = None, note: str = ""
) -> StepUpProposal:
    """Approve (the worker moves up one grade from the run's day, with a history row, in the step) or
    reject (with the reason) a proposal."""

    def prepare(locked: StepUpProposal, parties: set[str]) -> None:
        worker = Worker.objects.select_for_update().get(pk=locked.worker_id)
        if step == "approve" and (
            worker.post_id != locked.post_id or worker.grade != locked.from_grade or not worker.active
        ):
            raise ValidationError(_("%(w)s的岗位或等级已变化，这条建议不能再批准。") % {"w": worker.name})

    def after(locked: StepUpProposal, from_status: str) -> None:
        if step != "approve":
            return
        since = run_day(locked.year)
        Worker.objects.filter(pk=locked.worker_id).update(grade=locked.to_grade, grade_since=since)
        GradeRecord.objects.create(
            worker_id=locked.worker_id, ladder_id=locked.run.ladder_id, post_id=locked.post_id, grade=locked.to_grade,
            since=since, reason=GradeReason.STEP_UP, note=_("%(y)s年度晋级") % {"y": locked.year},
        )  # fmt: skip

    return take_step(
        STEPUP_FLOW, actor=actor, obj=proposal, step=step, version=version, note=note, prepare=prepare, after=after
    )
