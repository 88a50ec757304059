"""The demand workflow as data: (status, step) -> (new status, the parties that may take the step).

群众点单 → 社区受理 → 发布认领 / 派单 → 接单 → 完成 → 评价 (or closed by the system). Anything not in
the table is refused with a Chinese message by services._transition.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import DemandStatus as S


class Step(models.TextChoices):
    SUBMIT = "submit", _("点单")
    ACCEPT = "accept", _("受理")
    DECLINE = "decline", _("不予受理")
    WITHDRAW = "withdraw", _("撤回需求")
    PUBLISH = "publish", _("发布认领")
    DISPATCH = "dispatch", _("派单")
    CLAIM = "claim", _("认领")
    TAKE = "take", _("接单")
    REFUSE = "refuse", _("拒绝接单")
    RECALL = "recall", _("收回")
    GIVE_UP = "give_up", _("放弃办理")
    DONE = "done", _("完成登记")
    RATE = "rate", _("评价")
    CLOSE = "close", _("关闭")


# Log rows the reminder scans write; they are not steps anyone takes.
REMIND, ESCALATE = "remind", "escalate"
LOG_ONLY_STEPS = {REMIND: _("超时提醒"), ESCALATE: _("上报社区书记")}


def step_label(code: str) -> str:
    if code in Step.values:
        return str(Step(code).label)
    return str(LOG_ONLY_STEPS.get(code, code))


class Party(models.TextChoices):
    REQUESTER = "requester", _("点单人")
    WORKER = "worker", _("社区工作者")  # a community worker or admin whose scope holds the demand
    ASSIGNEE = "assignee", _("承接人")  # the member, unit contact or team leader it was given to / who claimed it
    CLAIMANT = "claimant", _("可认领的党员、驻区单位或服务队")
    SYSTEM = "system", _("系统")


REQ, W, A, C, SYS = Party.REQUESTER, Party.WORKER, Party.ASSIGNEE, Party.CLAIMANT, Party.SYSTEM

TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    (S.SUBMITTED, Step.ACCEPT): (S.ACCEPTED, frozenset({W})),
    (S.SUBMITTED, Step.DECLINE): (S.DECLINED, frozenset({W})),
    (S.SUBMITTED, Step.WITHDRAW): (S.WITHDRAWN, frozenset({REQ, W})),
    (S.ACCEPTED, Step.WITHDRAW): (S.WITHDRAWN, frozenset({REQ, W})),
    (S.ACCEPTED, Step.PUBLISH): (S.PUBLISHED, frozenset({W})),
    (S.ACCEPTED, Step.DISPATCH): (S.DISPATCHED, frozenset({W})),
    (S.PUBLISHED, Step.CLAIM): (S.TAKEN, frozenset({C})),
    (S.PUBLISHED, Step.DISPATCH): (S.DISPATCHED, frozenset({W})),
    (S.PUBLISHED, Step.RECALL): (S.ACCEPTED, frozenset({W})),
    (S.DISPATCHED, Step.TAKE): (S.TAKEN, frozenset({A})),
    (S.DISPATCHED, Step.REFUSE): (S.ACCEPTED, frozenset({A})),
    (S.DISPATCHED, Step.RECALL): (S.ACCEPTED, frozenset({W})),
    (S.DISPATCHED, Step.DISPATCH): (S.DISPATCHED, frozenset({W})),  # reassign
    (S.TAKEN, Step.DONE): (S.DONE, frozenset({A})),
    (S.TAKEN, Step.GIVE_UP): (S.ACCEPTED, frozenset({A})),
    (S.TAKEN, Step.DISPATCH): (S.DISPATCHED, frozenset({W})),  # reassign
    (S.DONE, Step.RATE): (S.RATED, frozenset({REQ})),
    (S.DONE, Step.CLOSE): (S.CLOSED, frozenset({SYS, W})),
}


def allowed_steps(status: str, parties: set[str]) -> list[str]:
    """The steps any of `parties` may take on a demand in `status`, in table order."""
    return [step for (st, step), (_to, who) in TRANSITIONS.items() if st == status and who & parties]
