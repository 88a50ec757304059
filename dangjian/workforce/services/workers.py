"""Writes of the register: a worker saved (the form and the importer share `check_worker`), leaving,
posts held, a place on the ladder (with its history row)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.core.figures import facts
from dangjian.core.validators import validate_citizen_id, validate_mobile
from dangjian.territory.models import Area, Level

from ..ladder import LadderTable
from ..models import (
    Education,
    GradeReason,
    GradeRecord,
    Ladder,
    LadderPost,
    LadderStatus,
    PostHeld,
    Worker,
    WorkerKind,
)
from ..permissions import require_manager

FIELDS = (
    "name", "gender", "birth_date", "id_number", "mobile", "education", "kind", "title", "is_committee",
    "dual_role", "placed", "sending_unit", "batch", "joined_on",
)  # fmt: skip


def check_worker(data: dict[str, Any], *, today: datetime.date | None = None) -> dict[str, Any]:
    """The rules a worker's fields obey, for the form, the service and the importer alike. Returns the
    cleaned values; raises ValidationError keyed by field."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    out = dict(data)
    out["name"] = (data.get("name") or "").strip()
    if not out["name"]:
        errors["name"] = _("请填写姓名。")
    birth = data.get("birth_date")
    if not isinstance(birth, datetime.date) or not (today.year - 80 <= birth.year <= today.year - 16):
        errors["birth_date"] = _("出生日期不合理（应满 16 周岁）。")
    if data.get("education") not in Education.values:
        errors["education"] = _("请选择学历。")
    if data.get("kind") not in WorkerKind.values:
        errors["kind"] = _("请选择类别。")
    if data.get("dual_role") and data.get("kind") != WorkerKind.SECRETARY:
        errors["dual_role"] = _("只有社区党组织书记可以“一肩挑”。")
    if data.get("dual_role"):
        out["is_committee"] = True
    if data.get("kind") in (WorkerKind.SECRETARY, WorkerKind.COMMITTEE):
        out["is_committee"] = True
    if data.get("kind") == WorkerKind.FIRST_SECRETARY and not (data.get("sending_unit") or "").strip():
        errors["sending_unit"] = _("第一书记须填写派出单位。")
    if data.get("id_number"):
        try:
            out["id_number"] = validate_citizen_id(data["id_number"], today=today)
        except ValidationError as exc:
            errors["id_number"] = " ".join(exc.messages)
    else:
        out["id_number"] = ""
    if data.get("mobile"):
        try:
            out["mobile"] = validate_mobile(data["mobile"])
        except ValidationError as exc:
            errors["mobile"] = " ".join(exc.messages)
    else:
        out["mobile"] = ""
    joined = data.get("joined_on")
    if not isinstance(joined, datetime.date) or joined > today:
        errors["joined_on"] = _("请填写入职日期（不晚于今天）。")
    out["sending_unit"] = (data.get("sending_unit") or "").strip()
    out["title"] = (data.get("title") or "").strip()
    out["gender"] = data.get("gender") or ""
    if errors:
        raise ValidationError(errors)
    return out


def _check_area(area: Area) -> None:
    if area.level not in (Level.COMMUNITY, Level.SUBDISTRICT):
        raise ValidationError({"area": _("请选择社区或街道。")})


def _check_id_unique(id_number: str, exclude: int | None) -> None:
    others = Worker.objects.filter(id_number=id_number)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if id_number and others.exists():
        raise ValidationError({"id_number": _("该身份证号已登记。")})


@transaction.atomic
def worker_save(
    *,
    actor: Any,
    area: Area,
    data: dict[str, Any],
    worker: Worker | None = None,
    user: Any = None,
    member: Any = None,
) -> Worker:
    """Register a worker, or change one (`worker`); one audit row with what changed. `data` holds
    FIELDS; the user account and the Party member record are read-only references."""
    require_manager(actor, area.path)
    _check_area(area)
    clean = check_worker(data)
    if worker is not None:
        require_manager(actor, worker.area_path)
        worker = Worker.objects.select_for_update().get(pk=worker.pk)
    _check_id_unique(clean["id_number"], worker.pk if worker else None)
    changes: dict[str, Any] = {}
    target = worker or Worker()
    for name in FIELDS:
        value = clean.get(name, getattr(Worker, name).field.get_default())
        before = getattr(target, name) if worker else None
        if worker is None or before != value:
            shown = "***" if name in ("id_number", "mobile") else str(value)
            changes[name] = [
                None if worker is None else ("***" if name in ("id_number", "mobile") else str(before)),
                shown,
            ]
        setattr(target, name, value)
    if worker is None or target.area_id != area.pk:
        changes["area"] = [None if worker is None else target.area.name, area.name]
    target.area = area
    if user is not None:
        target.user = user
    if member is not None:
        target.member = member
    target.save()
    audit_record(
        actor=actor,
        action=Action.CREATE if worker is None else Action.UPDATE,
        obj=target,
        changes=changes,
        area_path=target.area_path,
    )
    return target


@transaction.atomic
def worker_leave(*, actor: Any, worker: Worker, left_on: datetime.date) -> Worker:
    require_manager(actor, worker.area_path)
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if not worker.active:
        raise ValidationError(_("%(w)s已离岗。") % {"w": worker.name})
    worker.active = False
    worker.left_on = left_on
    worker.save()  # the stock follows every save (core.figures.facts)
    audit_record(
        actor=actor, action=Action.UPDATE, obj=worker, changes={"active": [True, False]}, area_path=worker.area_path
    )
    return worker


@transaction.atomic
def post_held_add(
    *,
    actor: Any,
    worker: Worker,
    title: str,
    started_on: datetime.date,
    organization: str = "",
    ended_on: datetime.date | None = None,
) -> PostHeld:
    require_manager(actor, worker.area_path)
    if not title.strip():
        raise ValidationError({"title": _("请填写职务。")})
    if ended_on and ended_on < started_on:
        raise ValidationError({"ended_on": _("任职结束不能早于开始。")})
    held = PostHeld.objects.create(
        worker=worker, title=title.strip()[:60], organization=organization.strip()[:100], started_on=started_on,
        ended_on=ended_on,
    )  # fmt: skip
    audit_record(
        actor=actor, action=Action.UPDATE, obj=worker, changes={"post_held": [None, held.title]},
        area_path=worker.area_path,
    )  # fmt: skip
    return held


def active_ladder(district_path: str) -> Ladder | None:
    return (
        Ladder.objects.filter(area_path=district_path, status=LadderStatus.ACTIVE)
        .prefetch_related("posts", "credits", "subsidies")
        .first()
    )


@transaction.atomic
def worker_grade_set(
    *,
    actor: Any,
    worker: Worker,
    post: LadderPost,
    since: datetime.date,
    grade: int | None = None,
    reason: str = GradeReason.ENTRY,
    note: str = "",
) -> Worker:
    """Place a worker on the ladder in force: a post and a grade (by default the post's entry grade for
    the worker's education), with its history row."""
    require_manager(actor, worker.area_path)
    ladder = post.ladder
    if ladder.status != LadderStatus.ACTIVE or not worker.area_path.startswith(ladder.area_path):
        raise ValidationError(_("只能按本区执行中的方案定岗定级。"))
    table = LadderTable.load(ladder)
    posted = table.posts_by_pk[post.pk]
    if grade is None:
        grade = table.entry_grade(posted, worker.education)
    if not posted.min_grade <= grade <= posted.max_grade:
        raise ValidationError(
            {
                "grade": _("%(p)s的等级应在 %(a)s–%(b)s 级之间。")
                % {"p": post.name, "a": posted.min_grade, "b": posted.max_grade}
            }
        )
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    before = (worker.post.name if worker.post else None, worker.grade)
    worker.post, worker.grade, worker.grade_since = post, grade, since
    worker.save(update_fields=["post", "grade", "grade_since", "updated_at"])
    GradeRecord.objects.create(
        worker=worker, ladder=ladder, post=post, grade=grade, since=since, reason=reason, note=note
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=worker,
        changes={"post": [before[0], post.name], "grade": [before[1], grade]},
        area_path=worker.area_path,
    )
    return worker


def workers_import(*, rows: list[dict[str, Any]], writer: Any) -> int:
    """Add the checked rows of a worker import (inside the import's one transaction): at bulk speed,
    the figures store's stock recorded for the new rows, each named in the import's audit row."""
    from dangjian.imports.resolvers import chunked

    done = 0
    for chunk in chunked(rows, writer.batch_size):
        workers = [Worker(area_id=r["area_id"], area_path=r["area_path"], **{k: r[k] for k in FIELDS}) for r in chunk]
        Worker.objects.bulk_create(workers, batch_size=writer.batch_size)
        pks = [w.pk for w in workers]
        if any(pk is None for pk in pks):  # pragma: no cover - a backend without RETURNING
            pks = list(Worker.objects.filter(public_id__in=[w.public_id for w in workers]).values_list("pk", flat=True))
        facts.record_bulk(Worker, pks)
        writer.audit((w, w.name, {"name": [None, w.name]}, w.area_path) for w in workers)
        done += len(workers)
    return done


def workers_of(pks: Iterable[int]) -> list[Worker]:
    return list(Worker.objects.filter(pk__in=list(pks)))
