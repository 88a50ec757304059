"""Writes of the case lifecycle. Every step goes through the workflow engine (core.workflow.take_step
with workflow.CASE_FLOW): the row is locked, the step is checked against the declared moves for the
parties the actor is, the version the actor read is checked (no lost update when a dispatcher and a
department act at once), and a CaseLog row and an audit row are written."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role
from dangjian.core.photos import CheckedPhoto, check_photos
from dangjian.core.scoping import acting_user, active_role, active_scope
from dangjian.core.tree import ancestor_paths
from dangjian.core.workflow import TransitionRefused, take_step
from dangjian.territory.models import Area, Level
from dangjian.units.models import Department, ResidentUnit

from .models import (
    AssigneeKind,
    Case,
    CaseCategory,
    CaseDepartment,
    CaseLog,
    CasePhoto,
    CaseStatus,
    DutyItem,
    LimitUnit,
    Placement,
    Rating,
)
from .policies import DEADLINE_MARKS_CLEARED, limit_for
from .workdays import deadline_after
from .workflow import CASE_FLOW, Party, Step


def actor_label(actor: Any) -> str:
    return CASE_FLOW.actor_label(actor)


def case_accept(*, actor: Any, case: Case, version: int | None = None, note: str = "") -> Case:
    """受理: the actor becomes the owner (首问负责制) and the deadline starts."""
    now = timezone.now()
    amount, unit = limit_for(case)
    deadline = deadline_after(now, amount, unit)
    owner = acting_user(actor)
    fields = {"owner": owner, "accepted_at": now, "deadline": deadline}
    limit = _("%(a)s 个%(u)s") % {"a": amount, "u": LimitUnit(unit).label}
    when = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
    text = _("办理时限 %(limit)s，期限 %(d)s") % {"limit": limit, "d": when}
    note = f"{note}；{text}" if note else text
    return take_step(
        CASE_FLOW, actor=actor, obj=case, step=Step.ACCEPT, version=version, note=note, fields=fields, at=now
    )


# --- helpers of the steps below -------------------------------------------------------------

# Clearing these puts a case back in the owner's hands (recall, return, reopen).
NO_ASSIGNEE: dict[str, Any] = {
    "assignee_kind": "",
    "assigned_area": None,
    "assigned_department": None,
    "assigned_user": None,
    "assigned_unit": None,
}


def _save_photos(case: Case, photos: list[CheckedPhoto], actor: Any, stage: str) -> None:
    for photo in photos:
        CasePhoto.objects.create(case=case, stage=stage, file=photo.as_file(), uploaded_by=acting_user(actor))


def required_text(value: str, field: str, message: str) -> str:
    """`value` stripped, or a ValidationError on `field` when it is empty."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _area_chain(area: Area) -> dict[str, Area]:
    """The area and its ancestors by level: {"grid": .., "community": .., "subdistrict": .., "district": ..}."""
    nodes = Area.objects.filter(path__in=[*ancestor_paths(area.path), area.path])
    return {node.level: node for node in nodes}


def _owner_label(case: Case) -> str:
    return actor_label(case.owner) if case.owner_id else _("受理人员")


# --- dispatch, publish, claim, take ---------------------------------------------------------


def _dispatch_fields(
    case: Case, kind: str, area: Area | None, department: Department | None, user: Any, unit: ResidentUnit | None
) -> tuple[dict[str, Any], str]:
    """Validate a dispatch target for `case`; the assignee columns and a description of it."""
    from dangjian.accounts.models import RoleAssignment

    if kind not in AssigneeKind.values:
        raise ValidationError({"kind": _("请选择派单对象类型。")})
    item = case.duty_item
    if kind in (AssigneeKind.GRID, AssigneeKind.COMMUNITY) and item is not None and not item.community_may_lead:
        raise ValidationError(
            {
                "kind": _(
                    "本事件属于权责清单事项「%(i)s」，社区不得作为责任主体牵头办理（行政执法、拆迁拆违、环境整治等），"
                    "请派给牵头部门「%(d)s」，社区可配合。"
                )
                % {"i": item.name, "d": item.lead_department.name}
            }
        )
    fields: dict[str, Any] = {**NO_ASSIGNEE, "assignee_kind": kind}
    if kind == AssigneeKind.GRID:
        area = area or case.grid
        if area is None or area.level != Level.GRID:
            raise ValidationError({"area": _("请选择要派往的网格。")})
        home = case.community.path if case.community is not None else case.area_path
        if not area.path.startswith(home):
            raise ValidationError({"area": _("「%(g)s」不在本事件所在社区，不能派往该网格。") % {"g": area.name}})
        if (
            user is not None
            and not RoleAssignment.objects.filter(user=user, role=Role.GRID_WORKER, area=area, is_active=True).exists()
        ):
            raise ValidationError(
                {"user": _("%(u)s 不是「%(g)s」的网格员。") % {"u": actor_label(user), "g": area.name}}
            )
        fields.update(assigned_area=area, assigned_user=user)
        label = f"{area.name} {actor_label(user)}" if user is not None else area.name
    elif kind == AssigneeKind.COMMUNITY:
        area = area or case.community
        if area is None or area.level != Level.COMMUNITY or not case.area_path.startswith(area.path):
            raise ValidationError({"area": _("只能派给事件所在的社区。")})
        if (
            user is not None
            and not RoleAssignment.objects.filter(
                user=user, role=Role.COMMUNITY_WORKER, area=area, is_active=True
            ).exists()
        ):
            raise ValidationError(
                {"user": _("%(u)s 不是「%(c)s」的社区工作者。") % {"u": actor_label(user), "c": area.name}}
            )
        fields.update(assigned_area=area, assigned_user=user)
        label = f"{area.name} {actor_label(user)}" if user is not None else area.name
    elif kind == AssigneeKind.DEPARTMENT:
        if department is None:
            raise ValidationError({"department": _("请选择承办部门。")})
        if not case.area_path.startswith(department.area.path):
            raise ValidationError(
                {"department": _("「%(d)s」的服务辖区不含本事件所在地，不能派给该部门。") % {"d": department.name}}
            )
        fields.update(assigned_department=department)
        label = department.name
    elif kind == AssigneeKind.MEMBER:
        if user is None:
            raise ValidationError({"user": _("请选择承办党员。")})
        is_member_here = RoleAssignment.objects.filter(
            user=user, role=Role.PARTY_MEMBER, is_active=True, home_community_id=case.community_id
        ).exists()
        if case.community_id is None or not is_member_here:
            raise ValidationError({"user": _("%(u)s 不是本事件所在社区的党员。") % {"u": actor_label(user)}})
        fields.update(assigned_user=user)
        label = actor_label(user)
    else:
        if unit is None:
            raise ValidationError({"unit": _("请选择承办的驻区单位。")})
        if case.community_id is None or unit.community_id != case.community_id:
            raise ValidationError({"unit": _("「%(u)s」不是本事件所在社区的驻区单位。") % {"u": unit.name}})
        fields.update(assigned_unit=unit)
        label = unit.name
    return fields, f"{AssigneeKind(kind).label}：{label}"


def case_dispatch(
    *,
    actor: Any,
    case: Case,
    kind: str,
    area: Area | None = None,
    department: Department | None = None,
    user: Any = None,
    unit: ResidentUnit | None = None,
    version: int | None = None,
    note: str = "",
) -> Case:
    """派单 to a grid (optionally a named grid worker), the community, a department, a member or a unit.

    The owner stays the owner (首问负责制); a department dispatched to may read the case from now on."""
    target: dict[str, str] = {}

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any]:
        fields, label = _dispatch_fields(locked, kind, area, department, user, unit)
        target["label"] = label
        now = timezone.now()
        fields["dispatched_at"] = now
        if locked.deadline is None:
            amount, unit_ = limit_for(locked)
            fields["deadline"] = deadline_after(now, amount, unit_)
        return fields

    def after(locked: Case, from_status: str) -> None:
        if department is not None and kind == AssigneeKind.DEPARTMENT:
            CaseDepartment.objects.get_or_create(case=locked, department=department)

    def text(locked: Case) -> str:
        return f"{target['label']}；{note}" if note else target["label"]

    return take_step(
        CASE_FLOW, actor=actor, obj=case, step=Step.DISPATCH, version=version, note=text, prepare=prepare, after=after
    )


def case_publish(*, actor: Any, case: Case, version: int | None = None, note: str = "") -> Case:
    """发布认领: the community's members and resident units may claim it (单位和党员主动认领)."""
    fields = {**NO_ASSIGNEE, "dispatched_at": timezone.now()}
    return take_step(
        CASE_FLOW,
        actor=actor,
        obj=case,
        step=Step.PUBLISH,
        version=version,
        note=note or _("发布给党员和驻区单位认领"),
        fields=fields,
    )


@transaction.atomic
def case_claim(*, actor: Any, case: Case, version: int | None = None, note: str = "") -> Case:
    """认领 by a member of the community or a unit contact of a unit there: the first one gets it."""
    locked = CASE_FLOW.lock(case)
    last = locked.log.order_by("-at", "-pk").first()
    if locked.status != CaseStatus.PUBLISHED and last is not None and last.step == Step.CLAIM:
        who = last.actor_label or _("他人")
        raise TransitionRefused(_("事件 %(n)s 已由 %(who)s 认领，请选择其他事件。") % {"n": locked.number, "who": who})
    scope = active_scope(actor) if acting_user(actor) is not None else None
    if scope is not None and scope.unit_id and active_role(actor) == Role.UNIT_CONTACT:
        fields = {**NO_ASSIGNEE, "assignee_kind": AssigneeKind.UNIT, "assigned_unit_id": scope.unit_id}
        fields.pop("assigned_unit")
    else:
        fields = {
            **NO_ASSIGNEE,
            "assignee_kind": AssigneeKind.MEMBER,
            "assigned_user": acting_user(actor),
        }
    return take_step(CASE_FLOW, actor=actor, obj=locked, step=Step.CLAIM, version=version, note=note, fields=fields)


def case_take(*, actor: Any, case: Case, version: int | None = None, note: str = "") -> Case:
    """签收: the receiver starts handling. A grid or community taker becomes the named handler."""

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any]:
        if locked.assignee_kind in (AssigneeKind.GRID, AssigneeKind.COMMUNITY) and acting_user(actor) is not None:
            return {"assigned_user": actor}
        return {}

    return take_step(CASE_FLOW, actor=actor, obj=case, step=Step.TAKE, version=version, note=note, prepare=prepare)


# --- recall, return -------------------------------------------------------------------------


def case_recall(*, actor: Any, case: Case, version: int | None = None, note: str = "") -> Case:
    """撤回: the owner or a dispatcher takes a dispatched or published case back, to send it again."""
    return take_step(
        CASE_FLOW,
        actor=actor,
        obj=case,
        step=Step.RECALL,
        version=version,
        note=note,
        public=False,
        fields=dict(NO_ASSIGNEE),
    )


def case_return(*, actor: Any, case: Case, reason: str, version: int | None = None) -> Case:
    """退回 with a reason: back to the owner (who decides again), counted against the case."""

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any]:
        required_text(reason, "reason", _("请填写退回原因。"))
        return {**NO_ASSIGNEE, "return_count": F("return_count") + 1}

    def text(locked: Case) -> str:
        return _("退回给首问负责人 %(o)s：%(r)s") % {"o": _owner_label(locked), "r": reason.strip()}

    return take_step(
        CASE_FLOW, actor=actor, obj=case, step=Step.RETURN, version=version, note=text, public=False, prepare=prepare
    )


# --- handling: notes, close -----------------------------------------------------------------


def case_note(
    *, actor: Any, case: Case, text: str, photos: Iterable[Any] = (), public: bool = False, version: int | None = None
) -> Case:
    """处置进展 with photos; `public` notes are shown to the resident."""
    files = check_photos(photos)

    def prepare(locked: Case, parties: set[str]) -> None:
        required_text(text, "text", _("请填写处置进展。"))

    return take_step(
        CASE_FLOW,
        actor=actor,
        obj=case,
        step=Step.NOTE,
        version=version,
        note=text.strip(),
        public=public,
        prepare=prepare,
        after=lambda locked, _from: _save_photos(locked, files, actor, CasePhoto.Stage.HANDLING),
    )


@transaction.atomic
def case_close(*, actor: Any, case: Case, result: str, photos: Iterable[Any] = (), version: int | None = None) -> Case:
    """办结 with the result. A receiver closing a case it has not signed for signs for it first
    (both steps logged). The owner stays the owner."""
    files = check_photos(photos)
    locked = CASE_FLOW.lock(case)
    CASE_FLOW.check_version(locked, version)
    if locked.status == CaseStatus.DISPATCHED and Party.RECEIVER in CASE_FLOW.parties_for(actor, locked):
        locked = case_take(actor=actor, case=locked, note=_("签收并办结"))
        version = None  # checked above; the take just moved it on

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any]:
        return {"result": required_text(result, "result", _("请填写办理结果。")), "closed_at": timezone.now()}

    return take_step(
        CASE_FLOW,
        actor=actor,
        obj=locked,
        step=Step.CLOSE,
        version=version,
        note=(result or "").strip()[:500],
        prepare=prepare,
        after=lambda locked, _from: _save_photos(locked, files, actor, CasePhoto.Stage.HANDLING),
    )


# --- callback, archive ----------------------------------------------------------------------


# The steps whose actor handled the case (签收、认领、处置进展、办结): they may not call it back.
HANDLING_STEPS = (Step.TAKE, Step.CLAIM, Step.NOTE, Step.CLOSE)


def handled_by(case: Case, user: Any) -> bool:
    """Whether `user` handled `case`: its named handler, or the actor of a handling step in its log."""
    person = acting_user(user)
    if person is None:
        return False
    if case.assignee_kind and case.assigned_user_id == person.pk:
        return True
    return CaseLog.objects.filter(case_id=case.pk, actor_id=person.pk, step__in=HANDLING_STEPS).exists()


def case_callback(*, actor: Any, case: Case, rating: str, note: str = "", version: int | None = None) -> Case:
    """回访: the rating of the resident, recorded by the owner or a dispatcher, or given by the resident
    from their phone. Nobody records the callback of a case they handled themselves.

    Satisfied or basically satisfied: called back. Unsatisfied: reopened to the owner, with a new limit."""
    if rating not in Rating.values:
        raise ValidationError({"rating": _("请选择评价：满意、基本满意或不满意。")})
    now = timezone.now()
    note = (note or "").strip()
    label = str(Rating(rating).label)
    text = f"{label}：{note}" if note else label
    fields: dict[str, Any] = {"rating": rating, "rating_note": note[:300], "called_back_at": now}

    def not_by_handler(locked: Case) -> None:
        if handled_by(locked, actor):
            raise TransitionRefused(
                _("事件 %(n)s 由您办理，不能由您回访；请由首问负责人、受理派单人员回访，或由反映人评价。")
                % {"n": locked.number}
            )

    if rating != Rating.UNSATISFIED:

        def check(locked: Case, parties: set[str]) -> None:
            not_by_handler(locked)

        return take_step(
            CASE_FLOW,
            actor=actor,
            obj=case,
            step=Step.CALLBACK,
            version=version,
            note=text,
            fields=fields,
            prepare=check,
        )

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any]:
        not_by_handler(locked)
        if not note:
            if parties == {Party.RESIDENT}:
                raise ValidationError({"note": _("请写下您不满意的地方，便于重新办理。")})
            raise ValidationError({"note": _("不满意时请记录居民的意见，便于重办。")})
        amount, unit = limit_for(locked)
        return {
            **NO_ASSIGNEE,
            "reopen_count": F("reopen_count") + 1,
            "closed_at": None,
            "deadline": deadline_after(now, amount, unit),
            **DEADLINE_MARKS_CLEARED,
        }

    return take_step(
        CASE_FLOW, actor=actor, obj=case, step=Step.REOPEN, version=version, note=text, fields=fields, prepare=prepare
    )


def case_archive(*, actor: Any, case: Case, version: int | None = None, note: str = "") -> Case:
    return take_step(CASE_FLOW, actor=actor, obj=case, step=Step.ARCHIVE, version=version, note=note)


def case_reject(*, actor: Any, case: Case, reason: str, version: int | None = None) -> Case:
    """不予受理 with a reason the resident reads."""

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any]:
        return {"reject_reason": (reason or "").strip()[:300]}  # required: the step's note rule (workflow)

    return take_step(
        CASE_FLOW,
        actor=actor,
        obj=case,
        step=Step.REJECT,
        version=version,
        note=(reason or "").strip(),
        prepare=prepare,
    )


# --- merge, route ----------------------------------------------------------------


@transaction.atomic
def case_merge(*, actor: Any, case: Case, main: Case, version: int | None = None, note: str = "") -> Case:
    """合并: `case` is a duplicate of the open case `main`; it follows main from now on."""
    from .selectors import workbench_cases

    if main.pk == case.pk:
        raise ValidationError({"main": _("不能把事件合并到它自己。")})
    # Lock both in a fixed order so two opposite merges cannot deadlock.
    first, second = sorted([case.pk, main.pk])
    list(Case.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk").values_list("pk", flat=True))
    main = Case.objects.get(pk=main.pk)

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any]:
        if main.status == CaseStatus.MERGED:
            raise ValidationError(
                {"main": _("主事件 %(m)s 本身已合并到其他事件，请合并到最终的主事件。") % {"m": main.number}}
            )
        if not main.is_open:
            raise ValidationError(
                {
                    "main": _("主事件 %(m)s 已「%(s)s」，不能再合并。")
                    % {"m": main.number, "s": main.get_status_display()}
                }
            )
        if main.district_id != locked.district_id:
            raise ValidationError({"main": _("不能跨区合并事件。")})
        if acting_user(actor) is not None and not workbench_cases(actor).filter(pk=main.pk).exists():
            raise ValidationError({"main": _("您无权查看主事件 %(m)s，不能合并。") % {"m": main.number}})
        return {"merged_into": main, "possible_duplicate_of": None}

    def after(locked: Case, from_status: str) -> None:
        CASE_FLOW.log(
            main,
            actor=actor,
            step=Step.MERGE,
            from_status=main.status,
            to_status=main.status,
            note=_("合并了重复事件 %(n)s") % {"n": locked.number},
            public=False,
        )

    text = _("合并到主事件 %(m)s") % {"m": main.number}
    return take_step(
        CASE_FLOW,
        actor=actor,
        obj=case,
        step=Step.MERGE,
        version=version,
        note=f"{text}；{note}" if note else text,
        prepare=prepare,
        after=after,
    )


def case_route(
    *,
    actor: Any,
    case: Case,
    category: CaseCategory | None = None,
    duty_item: DutyItem | None = None,
    grid: Area | None = None,
    version: int | None = None,
    note: str = "",
) -> Case:
    """Change the category, the duty item or the grid by hand; place and rollup path follow the grid."""
    changes: list[str] = []

    def prepare(locked: Case, parties: set[str]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        subdistrict_id = locked.subdistrict_id
        if grid is not None and grid.pk != locked.grid_id:
            if grid.level != Level.GRID:
                raise ValidationError({"grid": _("请选择网格。")})
            chain = _area_chain(grid)
            if chain.get(Level.DISTRICT) is None or chain[Level.DISTRICT].pk != locked.district_id:
                raise ValidationError({"grid": _("不能把事件调整到其他区的网格。")})
            community, subdistrict = chain.get(Level.COMMUNITY), chain.get(Level.SUBDISTRICT)
            fields.update(
                grid=grid,
                community=community,
                subdistrict=subdistrict,
                area_path=grid.path,
                placement=Placement.MANUAL,
            )
            subdistrict_id = subdistrict.pk if subdistrict else None
            changes.append(_("网格：%(a)s → %(b)s") % {"a": locked.grid.name if locked.grid else "—", "b": grid.name})
        new_category = category if category is not None and category.pk != locked.category_id else None
        if new_category is not None:
            fields["category"] = new_category
            changes.append(_("类别：%(a)s → %(b)s") % {"a": locked.category.name, "b": new_category.name})
        item = duty_item
        if item is None and (new_category is not None or subdistrict_id != locked.subdistrict_id):
            # The category or the subdistrict changed: propose that subdistrict's item for the category.
            item = (
                DutyItem.objects.filter(subdistrict_id=subdistrict_id, categories=new_category or locked.category)
                .order_by("sort", "pk")
                .first()
            )
            if item is None and locked.duty_item is not None:
                fields["duty_item"] = None
                changes.append(_("权责事项：%(a)s → 无") % {"a": locked.duty_item.name})
        if item is not None and item.pk != locked.duty_item_id:
            if item.subdistrict_id != subdistrict_id:
                raise ValidationError({"duty_item": _("「%(i)s」不是本事件所在街道的权责事项。") % {"i": item.name}})
            fields["duty_item"] = item
            old = locked.duty_item.name if locked.duty_item is not None else "—"
            changes.append(_("权责事项：%(a)s → %(b)s") % {"a": old, "b": item.name})
        if not changes:
            raise ValidationError(_("没有需要调整的内容。"))
        return fields

    def text(locked: Case) -> str:
        body = "；".join(changes)
        return f"{body}；{note}" if note else body

    return take_step(
        CASE_FLOW, actor=actor, obj=case, step=Step.ROUTE, version=version, note=text, public=False, prepare=prepare
    )
