"""The case workflow, declared once: what each status means, each step's service, form and messages,
and the moves (from which statuses a step may be taken, to which status, by which parties).

The engine (dangjian.core.workflow.take_step) runs every step; the status sets, the resident's hints,
the badges, the Open311 mapping, the deadline scans' open set and the desk's step dispatch are all
read from CASE_FLOW. Adding a state is one State here (and its migration).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Role
from dangjian.core.scoping import active_role, active_scope
from dangjian.core.workflow import KEEP, Move, State, StepSpec, Workflow

from .models import Case, CaseLog, CaseStatus, Channel
from .models import CaseStatus as S
from .permissions import DISPATCH_ROLES, SUPERVISE_ROLES


class Step(models.TextChoices):
    SUBMIT = "submit", _("登记")
    ACCEPT = "accept", _("受理")
    REJECT = "reject", _("不予受理")
    DISPATCH = "dispatch", _("派单")
    PUBLISH = "publish", _("发布认领")
    CLAIM = "claim", _("认领")
    TAKE = "take", _("签收")
    RECALL = "recall", _("撤回重派")
    RETURN = "return", _("退回")
    NOTE = "note", _("处置进展")
    CLOSE = "close", _("办结")
    CALLBACK = "callback", _("回访")
    REOPEN = "reopen", _("重办")
    ARCHIVE = "archive", _("归档")
    MERGE = "merge", _("合并")
    # Steps that leave the status as it is
    ROUTE = "route", _("调整定位或类别")
    SUPERVISE = "supervise", _("督办")
    EXTEND_ASK = "extend_ask", _("申请延期")
    EXTEND_DECIDE = "extend_decide", _("审批延期")
    WHISTLE = "whistle", _("吹哨")
    REPORT = "report", _("部门报到")
    ESCALATE = "escalate", _("上报")
    WARN = "warn", _("临期预警")
    OVERDUE = "overdue", _("超期")


class Party(models.TextChoices):
    DISPATCHER = "dispatcher", _("受理派单人员")  # a community worker or admin whose scope holds the case
    OWNER = "owner", _("首问负责人")
    RECEIVER = "receiver", _("承办方")  # the current assignee: grid worker, community, department, member, unit
    CLAIMANT = "claimant", _("认领人")  # a member or unit who may claim a published case
    RESIDENT = "resident", _("反映人")
    SUPERVISOR = "supervisor", _("上级")  # an admin of a level above the case's community
    SYSTEM = "system", _("系统")


D, OWN, R, C, RES, SUP, SYS = (
    Party.DISPATCHER,
    Party.OWNER,
    Party.RECEIVER,
    Party.CLAIMANT,
    Party.RESIDENT,
    Party.SUPERVISOR,
    Party.SYSTEM,
)


class CaseWorkflow(Workflow):
    name = "cases.case"
    model = Case
    log_model = CaseLog
    log_fk = "case"
    status_choices = CaseStatus
    step_choices = Step
    party_choices = Party
    system_party = Party.SYSTEM
    system_takes_any_step = True  # the system (actor None) passes the party check of every step

    msg_state = _("%(obj)s 当前状态为「%(status)s」，不能%(step)s。")
    msg_party = _("您不能对%(obj)s 执行「%(step)s」（需由%(who)s操作）。")
    msg_stale = _("%(obj)s 已被 %(who)s 更新（%(step)s），请刷新后再操作。")

    def describe(self, obj: Any) -> str:
        return str(_("事件 %(n)s") % {"n": obj.number})

    def recipients(self, obj: Any, name: str, actor: Any) -> Any:
        """Who a step's `notify` names mean for the case (notifications resolves them to messages)."""
        return _case_recipients(obj, name)

    def object_url(self, obj: Any, name: str = "") -> str:
        if name == RESIDENT_NAME:  # the reporter reads the case on 我的诉求, not the desk
            return reverse("cases:mine_detail", args=[obj.public_id])
        return obj.get_absolute_url()

    def lock(self, obj: Any) -> Any:
        # `of`: PostgreSQL refuses FOR UPDATE on the nullable side of the outer joins.
        return Case.objects.select_for_update(of=("self",)).select_related("duty_item", "assigned_area").get(pk=obj.pk)

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        """The parts `actor` (in their active role) plays in the case `obj`."""
        user, case = actor, obj
        if user is None:
            return {Party.SYSTEM}
        if not getattr(user, "is_authenticated", False):
            return set()
        parties: set[str] = set()
        if user.is_superuser:
            parties |= {Party.DISPATCHER, Party.SUPERVISOR}
        role, scope = active_role(user), active_scope(user)
        path = scope.area_path or ""
        in_area = bool(path) and case.area_path.startswith(path)
        if in_area and (role in DISPATCH_ROLES or _own_patrol_report(case, role, user)):
            parties.add(Party.DISPATCHER)
        if in_area and role in SUPERVISE_ROLES:
            parties.add(Party.SUPERVISOR)
        if case.owner_id == user.pk:
            parties.add(Party.OWNER)
        if case.reporter_id == user.pk:
            parties.add(Party.RESIDENT)
        if _is_receiver(case, role, scope, user):
            parties.add(Party.RECEIVER)
        if case.status == CaseStatus.PUBLISHED and _may_claim(case, role, scope):
            parties.add(Party.CLAIMANT)
        return parties


# --- who is told (StepSpec notify=...) --------------------------------------------------------------

RESIDENT_NAME = "resident"  # the reporter
OWNER_NAME = "owner"  # 首问负责人
RECEIVER_NAME = "receiver"  # whoever holds the case now: the department's staff, the grid worker...
DESK_NAME = "desk"  # the owner, or the community's workers while no one owns it
SUMMONED_NAME = "summoned"  # the staff of the departments the latest whistle called
SUPERVISORS_NAME = "supervisors"  # the admins above the case's community


def _case_recipients(case: Case, name: str) -> list[int]:
    from dangjian.notifications import recipients as who

    if name == RESIDENT_NAME:
        return who.users(case.reporter_id)
    if name == OWNER_NAME:
        return who.users(case.owner_id)
    if name == DESK_NAME:
        return who.users(case.owner_id) or who.community_workers(case.community.path if case.community else None)
    if name == RECEIVER_NAME:
        kind = case.assignee_kind
        if kind == "department":
            return who.department_staff(case.assigned_department_id)
        if kind == "unit":
            return who.unit_contacts(case.assigned_unit_id)
        if case.assigned_user_id or kind == "member":
            return who.users(case.assigned_user_id)
        if kind in ("grid", "community") and case.assigned_area is not None:
            return who.area_staff(case.assigned_area.path, [Role.GRID_WORKER, Role.COMMUNITY_WORKER])
        return []
    if name == SUMMONED_NAME:
        whistle = case.whistles.order_by("-blown_at", "-pk").first()
        if whistle is None:
            return []
        return who.departments_staff(whistle.summonses.values_list("department_id", flat=True))
    if name == SUPERVISORS_NAME:
        return who.admins_above(case.community.path if case.community else case.area_path)
    raise LookupError(f"cases.case: no recipients named {name!r}")


def _own_patrol_report(case: Case, role: str, user: Any) -> bool:
    """人在网格走，事在网格办: a grid worker accepts what they found on patrol in their grid (首问负责制)."""
    return (
        role == Role.GRID_WORKER
        and case.channel == Channel.PATROL
        and case.reporter_id == user.pk
        and case.status == CaseStatus.SUBMITTED
    )


def _is_receiver(case: Case, role: str, scope: Any, user: Any) -> bool:
    kind = case.assignee_kind
    if kind == "department":
        return scope.department_id is not None and scope.department_id == case.assigned_department_id
    if kind in ("grid", "community"):
        if case.assigned_user_id:  # a named grid worker or community worker
            return case.assigned_user_id == user.pk
        return (
            role in (Role.GRID_WORKER, Role.COMMUNITY_WORKER)
            and case.assigned_area is not None
            and scope.area_path == case.assigned_area.path
        )
    if kind == "member":
        return case.assigned_user_id == user.pk
    if kind == "unit":
        return scope.unit_id is not None and scope.unit_id == case.assigned_unit_id
    return False


def _may_claim(case: Case, role: str, scope: Any) -> bool:
    if role == Role.PARTY_MEMBER:
        home = _home_community_id(scope) if scope.user_id is not None else None
        return home is not None and home == case.community_id
    if role == Role.UNIT_CONTACT and scope.unit_id:
        from dangjian.units.models import ResidentUnit

        return ResidentUnit.objects.filter(pk=scope.unit_id, community_id=case.community_id).exists()
    return False


def _home_community_id(scope: Any) -> int | None:
    from dangjian.accounts.models import RoleAssignment

    assignment = (
        RoleAssignment.objects.filter(user_id=scope.user_id, role=Role.PARTY_MEMBER, is_active=True)
        .values_list("home_community_id", flat=True)
        .first()
    )
    return assignment


# --- the declaration ------------------------------------------------------------------------------

SERVICES = "dangjian.cases.services"
SUPERVISION = "dangjian.cases.supervision"
FORMS = "dangjian.cases.desk.forms"
WHISTLE = "dangjian.cases.whistle.services"

STATES = (
    # The resident's hint says what a status means to them; the internal steps stay internal.
    State(S.SUBMITTED, badge="blue", hint=_("已收到，等待受理"), open311="open"),
    State(S.ACCEPTED, badge="blue", hint=_("已受理，正在安排办理"), open311="open"),
    State(S.DISPATCHED, badge="warn", hint=_("已派单，等待承办单位签收"), open311="open"),
    State(S.PUBLISHED, badge="warn", hint=_("已发布，等待认领"), open311="open"),
    State(S.HANDLING, badge="warn", hint=_("正在办理"), open311="open"),
    # Finished from the resident's point of view (Open311 "closed"); the first three count as closed.
    State(
        S.CLOSED,
        is_open=False,
        is_done=True,
        counts_as_closed=True,
        badge="ok",
        hint=_("已办结，等待回访"),
        open311="closed",
    ),
    State(
        S.CALLED_BACK,
        is_open=False,
        is_done=True,
        counts_as_closed=True,
        badge="ok",
        hint=_("已回访"),
        open311="closed",
    ),
    State(
        S.ARCHIVED,
        is_open=False,
        is_done=True,
        counts_as_closed=True,
        badge="ok",
        hint=_("已办结归档"),
        open311="closed",
    ),
    State(S.REJECTED, is_open=False, badge="neutral", hint=_("不予受理"), open311="closed"),
    State(S.MERGED, is_open=False, badge="neutral", hint=_("已与同一问题合并办理"), open311="closed"),
)

# A step with a `form` is offered on the case page; the others are taken elsewhere (the whistle pages,
# the callback's rating, the scans).
STEPS = (
    StepSpec(
        Step.ACCEPT,
        service=f"{SERVICES}.case_accept",
        form=f"{FORMS}.NoteOnlyForm",
        done_message=_("已受理，您是该事件的首问负责人。"),
        notify=("resident",),
    ),
    StepSpec(
        Step.REJECT,
        service=f"{SERVICES}.case_reject",
        form=f"{FORMS}.ReasonForm",
        note_label=_("不予受理的原因"),
        note_required=True,
        note_message=_("请填写不予受理的原因。"),
        warning=_("不予受理后该事件结束，反映人可看到原因。"),
        done_message=_("已不予受理，反映人可看到原因。"),
        notify=("resident",),
    ),
    StepSpec(
        Step.DISPATCH,
        service=f"{SERVICES}.case_dispatch",
        form=f"{FORMS}.DispatchForm",
        done_message=_("已派单。"),
        notify=("receiver",),
    ),
    StepSpec(
        Step.PUBLISH,
        service=f"{SERVICES}.case_publish",
        form=f"{FORMS}.NoteOnlyForm",
        done_message=_("已发布，等待党员或驻区单位认领。"),
    ),
    StepSpec(
        Step.CLAIM,
        service=f"{SERVICES}.case_claim",
        form=f"{FORMS}.NoteOnlyForm",
        done_message=_("认领成功，请尽快处置并记录进展。"),
        notify=("owner",),
    ),
    StepSpec(
        Step.TAKE,
        service=f"{SERVICES}.case_take",
        form=f"{FORMS}.NoteOnlyForm",
        done_message=_("已签收，请按期办结。"),
        notify=("owner",),
    ),
    StepSpec(
        Step.RECALL,
        service=f"{SERVICES}.case_recall",
        form=f"{FORMS}.NoteOnlyForm",
        warning=_("撤回后承办方将不能再处理该事件，需重新派单。"),
        done_message=_("已撤回，可重新派单。"),
    ),
    StepSpec(
        Step.RETURN,
        service=f"{SERVICES}.case_return",
        form=f"{FORMS}.ReasonForm",
        note_label=_("退回原因"),
        warning=_("退回后事件回到首问负责人，退回次数将被记录。"),
        done_message=_("已退回首问负责人。"),
        notify=("owner",),
    ),
    StepSpec(
        Step.NOTE,
        service=f"{SERVICES}.case_note",
        form=f"{FORMS}.PhotoNoteForm",
        note_label=_("处置进展"),
        done_message=_("已记录处置进展。"),
    ),
    StepSpec(
        Step.CLOSE,
        service=f"{SERVICES}.case_close",
        form=f"{FORMS}.CloseForm",
        note_label=_("办理结果"),
        warning=_("办结后将进入回访，请确认已处置完毕。"),
        done_message=_("已办结，等待回访。"),
        notify=("resident", "owner"),
    ),
    StepSpec(
        Step.CALLBACK, service=f"{SERVICES}.case_callback", form=f"{FORMS}.CallbackForm", done_message=_("已记录回访。")
    ),
    # Taken by an unsatisfied callback (the callback form's rating), never offered on its own.
    StepSpec(Step.REOPEN, service=f"{SERVICES}.case_callback", done_message=_("已记录回访。"), notify=("owner",)),
    StepSpec(
        Step.ARCHIVE,
        service=f"{SERVICES}.case_archive",
        form=f"{FORMS}.NoteOnlyForm",
        warning=_("归档后事件不能再修改。"),
        done_message=_("已归档。"),
    ),
    StepSpec(
        Step.MERGE,
        service=f"{SERVICES}.case_merge",
        form=f"{FORMS}.MergeForm",
        warning=_("合并后本事件不再单独办理，随主事件办结。"),
        done_message=_("已合并到主事件。"),
        notify=("resident",),
    ),
    StepSpec(Step.ROUTE, service=f"{SERVICES}.case_route", form=f"{FORMS}.RouteForm", done_message=_("已调整。")),
    StepSpec(
        Step.SUPERVISE,
        service=f"{SUPERVISION}.case_supervise",
        form=f"{FORMS}.SuperviseForm",
        note_label=_("督办意见"),
        note_required=True,
        note_message=_("请填写督办意见。"),
        done_message=_("已督办。"),
        notify=("owner", "receiver"),
    ),
    StepSpec(
        Step.EXTEND_ASK,
        service=f"{SUPERVISION}.extension_ask",
        form=f"{FORMS}.ExtendAskForm",
        done_message=_("已提交延期申请，等待上级审批。"),
        notify=("supervisors",),
    ),
    StepSpec(
        Step.EXTEND_DECIDE,
        service=f"{SUPERVISION}.extension_decide",
        form=f"{FORMS}.ExtendDecideForm",
        done_message=_("已审批延期申请。"),
        notify=("receiver", "owner"),
    ),
    StepSpec(Step.WHISTLE, service=f"{WHISTLE}.whistle_blow", done_message=_("已吹哨。"), notify=("summoned",)),
    StepSpec(Step.REPORT, service=f"{WHISTLE}.summons_report", done_message=_("已报到。"), notify=("desk",)),
    StepSpec(
        Step.ESCALATE, service=f"{WHISTLE}.whistle_escalate", done_message=_("已上报区级。"), notify=("summoned",)
    ),
    StepSpec(Step.WARN, manual=False, notify=("receiver", "desk")),
    StepSpec(Step.OVERDUE, manual=False, notify=("receiver", "desk")),
)

OPEN = (S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.PUBLISHED, S.HANDLING)

MOVES = (
    Move(S.SUBMITTED, Step.ACCEPT, S.ACCEPTED, {D}),
    Move(S.SUBMITTED, Step.REJECT, S.REJECTED, {D}),
    Move(S.SUBMITTED, Step.MERGE, S.MERGED, {D}),
    Move(S.ACCEPTED, Step.MERGE, S.MERGED, {D, OWN}),
    Move(S.ACCEPTED, Step.DISPATCH, S.DISPATCHED, {D, OWN}),
    Move(S.ACCEPTED, Step.PUBLISH, S.PUBLISHED, {D, OWN}),
    Move(S.PUBLISHED, Step.CLAIM, S.HANDLING, {C}),
    Move(S.DISPATCHED, Step.TAKE, S.HANDLING, {R}),
    Move((S.DISPATCHED, S.PUBLISHED), Step.RECALL, S.ACCEPTED, {D, OWN}),
    Move((S.DISPATCHED, S.HANDLING), Step.RETURN, S.ACCEPTED, {R}),
    Move(S.HANDLING, Step.NOTE, S.HANDLING, {R, OWN}),
    Move(S.HANDLING, Step.CLOSE, S.CLOSED, {R, OWN}),
    # The callback records the resident's rating; an unsatisfied one reopens the case instead.
    Move(S.CLOSED, Step.CALLBACK, S.CALLED_BACK, {D, OWN, RES}),
    Move(S.CLOSED, Step.REOPEN, S.ACCEPTED, {D, OWN, RES}),
    Move(S.CALLED_BACK, Step.ARCHIVE, S.ARCHIVED, {D, OWN, SYS}),
    # Steps that keep the status.
    Move(OPEN, Step.ROUTE, KEEP, {D, OWN}),
    Move(OPEN, Step.SUPERVISE, KEEP, {SUP}),
    Move((S.DISPATCHED, S.HANDLING), Step.EXTEND_ASK, KEEP, {R, OWN}),
    Move((S.DISPATCHED, S.HANDLING), Step.EXTEND_DECIDE, KEEP, {SUP}),
    Move((S.ACCEPTED, S.DISPATCHED, S.HANDLING), Step.WHISTLE, KEEP, {D, OWN, SUP}),
    Move(OPEN, Step.REPORT, KEEP, {R}),
    Move(OPEN, Step.ESCALATE, KEEP, {SUP, SYS}),
    Move(OPEN, Step.WARN, KEEP, {SYS}),
    Move(OPEN, Step.OVERDUE, KEEP, {SYS}),
)

CASE_FLOW = CaseWorkflow(states=STATES, steps=STEPS, moves=MOVES)

# Derived from the declaration: never list them again elsewhere.
OPEN_STATUSES = CASE_FLOW.statuses(is_open=True)
# Finished from the resident's point of view (Open311 "closed").
DONE_STATUSES = CASE_FLOW.statuses(is_open=False)
# What the figures count as closed (办结): closed, called back, archived.
CLOSED_STATUSES = CASE_FLOW.statuses(counts_as_closed=True)
OPEN311_CLOSED = frozenset(code for code, state in CASE_FLOW.states.items() if state.open311 == "closed")
# What a resident is told a status means.
STATUS_HINTS = {code: state.hint for code, state in CASE_FLOW.states.items()}
# The steps offered as forms on the case page (the desk's dispatch); the rest are taken elsewhere.
DESK_STEPS = frozenset(code for code, spec in CASE_FLOW.steps.items() if spec.form)


def status_badge(status: str) -> str:
    """The CSS modifier of `.badge` for a status (`badge-<it>`)."""
    state = CASE_FLOW.states.get(status)
    return state.badge if state is not None else "neutral"
