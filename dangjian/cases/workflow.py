"""The case workflow as data: (status, step) -> (new status, the parties that may take the step).

Anything not in the table is refused with a message. Steps that do not move the status (a progress
note, supervision, an extension, a whistle) are in NOTE_STEPS: they are logged the same way.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import CaseStatus as S


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
OPEN = (S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.PUBLISHED, S.HANDLING)

TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    (S.SUBMITTED, Step.ACCEPT): (S.ACCEPTED, frozenset({D})),
    (S.SUBMITTED, Step.REJECT): (S.REJECTED, frozenset({D})),
    (S.SUBMITTED, Step.MERGE): (S.MERGED, frozenset({D})),
    (S.ACCEPTED, Step.MERGE): (S.MERGED, frozenset({D, OWN})),
    (S.ACCEPTED, Step.DISPATCH): (S.DISPATCHED, frozenset({D, OWN})),
    (S.ACCEPTED, Step.PUBLISH): (S.PUBLISHED, frozenset({D, OWN})),
    (S.PUBLISHED, Step.CLAIM): (S.HANDLING, frozenset({C})),
    (S.DISPATCHED, Step.TAKE): (S.HANDLING, frozenset({R})),
    (S.DISPATCHED, Step.RECALL): (S.ACCEPTED, frozenset({D, OWN})),
    (S.PUBLISHED, Step.RECALL): (S.ACCEPTED, frozenset({D, OWN})),
    (S.DISPATCHED, Step.RETURN): (S.ACCEPTED, frozenset({R})),
    (S.HANDLING, Step.RETURN): (S.ACCEPTED, frozenset({R})),
    (S.HANDLING, Step.NOTE): (S.HANDLING, frozenset({R, OWN})),
    (S.HANDLING, Step.CLOSE): (S.CLOSED, frozenset({R, OWN})),
    # The callback records the resident's rating; an unsatisfied one reopens the case instead.
    (S.CLOSED, Step.CALLBACK): (S.CALLED_BACK, frozenset({D, OWN, RES})),
    (S.CLOSED, Step.REOPEN): (S.ACCEPTED, frozenset({D, OWN, RES})),
    (S.CALLED_BACK, Step.ARCHIVE): (S.ARCHIVED, frozenset({D, OWN, SYS})),
}
# Steps that keep the status, and the statuses in which they may be taken.
NOTE_STEPS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    Step.ROUTE: (frozenset(OPEN), frozenset({D, OWN})),
    Step.SUPERVISE: (frozenset(OPEN), frozenset({SUP})),
    Step.EXTEND_ASK: (frozenset({S.DISPATCHED, S.HANDLING}), frozenset({R, OWN})),
    Step.EXTEND_DECIDE: (frozenset({S.DISPATCHED, S.HANDLING}), frozenset({SUP})),
    Step.WHISTLE: (frozenset({S.ACCEPTED, S.DISPATCHED, S.HANDLING}), frozenset({D, OWN, SUP})),
    Step.REPORT: (frozenset(OPEN), frozenset({R})),
    Step.ESCALATE: (frozenset(OPEN), frozenset({SUP, SYS})),
    Step.WARN: (frozenset(OPEN), frozenset({SYS})),
    Step.OVERDUE: (frozenset(OPEN), frozenset({SYS})),
}


def allowed_steps(status: str, parties: set[str]) -> list[str]:
    """The steps any of `parties` may take on a case in `status`, in table order."""
    steps = [step for (st, step), (_to, who) in TRANSITIONS.items() if st == status and who & parties]
    steps += [step for step, (statuses, who) in NOTE_STEPS.items() if status in statuses and who & parties]
    return steps
