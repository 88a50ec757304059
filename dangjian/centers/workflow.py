"""The room-booking workflow, declared once and run by core.workflow.take_step.

A booking starts pending (a room that needs approval) or approved; the centre's managers approve or
reject it; the booker or a manager cancels it. A rejected or cancelled booking frees its time.
Bookings have no version column: the update is conditional on the status read under the lock.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Move, State, StepSpec, TransitionRefused, Workflow

from .models import Booking, BookingLog, BookingStatus
from .permissions import manages

B = BookingStatus
BOOK = "book"  # the log row of a new booking: it starts pending or approved, no one takes it as a step


class Step(models.TextChoices):
    APPROVE = "approve", gettext_lazy("批准")
    REJECT = "reject", gettext_lazy("不批准")
    CANCEL = "cancel", gettext_lazy("取消预约")


class Party(models.TextChoices):
    MANAGER = "manager", gettext_lazy("服务中心管理员")  # a manager whose territory holds the centre
    BOOKER = "booker", gettext_lazy("预约人")


class BookingWorkflow(Workflow):
    name = "centers.booking"
    model = Booking
    log_model = BookingLog
    log_fk = "booking"
    version_field = None
    status_choices = BookingStatus
    step_choices = Step
    party_choices = Party
    log_only_steps = {BOOK: gettext_lazy("预约")}
    note_max = 200

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        parties: set[str] = set()
        if manages(actor, obj.room.center):
            parties.add(Party.MANAGER)
        if actor is not None and obj.booked_by_id == getattr(actor, "pk", None):
            parties.add(Party.BOOKER)
        return parties

    def lock(self, obj: Any) -> Any:
        return Booking.objects.select_for_update().get(pk=obj.pk)

    def area_path(self, obj: Any) -> str:
        return obj.room.center.area.path

    def recipients(self, obj: Any, name: str, actor: Any) -> list[int]:
        """Who a step's `notify` names mean: the booker, the workers of the centre's area."""
        from dangjian.notifications import recipients as who

        if name == "booker":
            return who.users(obj.booked_by_id)
        if name == "managers":
            return who.community_workers(obj.room.center.area.path)
        raise LookupError(f"centers.booking: no recipients named {name!r}")

    def notice_text(self, obj: Any, step: str, note: str) -> tuple[str, str]:
        title = _("%(room)s %(day)s 的预约：%(step)s") % {
            "room": obj.room.name,
            "day": f"{timezone.localtime(obj.start):%m-%d %H:%M}",
            "step": self.step_label(step),
        }
        return title, note

    def check(self, obj: Any, *, actor: Any, step: str, version: int | None = None) -> Any:
        # Who may act is asked before the status, as the booking pages have always answered.
        parties = self.parties_for(actor, obj)
        if not any(move.parties & parties for move in self.moves if move.step == step):
            raise TransitionRefused(_("您不能对这次预约进行「%(a)s」。") % {"a": self.step_label(step)})
        return super().check(obj, actor=actor, step=step, version=version)

    def refuse_state(self, obj: Any, step: str, version: int | None) -> str:
        return _("预约当前为「%(s)s」，不能%(a)s。") % {"s": obj.get_status_display(), "a": self.step_label(step)}

    def refuse_party(self, obj: Any, move: Move, parties: set[str]) -> str:
        return _("您不能对这次预约进行「%(a)s」。") % {"a": self.step_label(move.step)}


M, BK = Party.MANAGER, Party.BOOKER
FLOW = BookingWorkflow(
    states=[
        State(B.PENDING, is_open=True, badge="pending", hint=gettext_lazy("等待服务中心审批")),
        State(B.APPROVED, is_open=True, badge="ok", hint=gettext_lazy("预约成功，请按时使用")),
        State(B.REJECTED, is_open=False, counts_as_closed=True, badge="red", hint=gettext_lazy("未获批准")),
        State(B.CANCELLED, is_open=False, counts_as_closed=True, badge="neutral", hint=gettext_lazy("已取消")),
    ],
    steps=[
        StepSpec(
            Step.APPROVE,
            service="dangjian.centers.services.bookings.booking_transition",
            form="dangjian.centers.forms.NoteForm",
            question=gettext_lazy("确认批准这次预约？"),
            done_message=gettext_lazy("已%(a)s。"),
            notify=("booker",),
        ),
        StepSpec(
            Step.REJECT,
            service="dangjian.centers.services.bookings.booking_transition",
            form="dangjian.centers.forms.NoteForm",
            question=gettext_lazy("确认不批准这次预约？请填写原因。"),
            note_label=gettext_lazy("不批准的原因"),
            note_required=True,
            note_message=gettext_lazy("请填写不批准的原因。"),
            done_message=gettext_lazy("已%(a)s。"),
            notify=("booker",),
        ),
        StepSpec(
            Step.CANCEL,
            service="dangjian.centers.services.bookings.booking_transition",
            form="dangjian.centers.forms.NoteForm",
            question=gettext_lazy("确认取消这次预约？取消后该时段可被他人预约。"),
            done_message=gettext_lazy("已%(a)s。"),
            notify=("booker", "managers"),
        ),
    ],
    moves=[
        Move(B.PENDING, Step.APPROVE, B.APPROVED, {M}),
        Move(B.PENDING, Step.REJECT, B.REJECTED, {M}),
        Move([B.PENDING, B.APPROVED], Step.CANCEL, B.CANCELLED, {M, BK}),
    ],
)

# Bookings that hold their room's time.
HOLDING_STATUSES = [code for code, state in FLOW.states.items() if state.is_open]


@dataclasses.dataclass(frozen=True)
class Action:
    """A step as the booking pages show it (its button and question), read from the declaration."""

    action: str
    label: str
    question: str


def action(step: str) -> Action | None:
    if step not in FLOW.steps:
        return None
    return Action(step, FLOW.step_label(step), str(FLOW.steps[step].question))


def allowed_actions(booking: Booking, *, manager: bool, is_booker: bool) -> list[Action]:
    """The steps the viewer may take on the booking now, in declaration order."""
    parties = ({Party.MANAGER} if manager else set()) | ({Party.BOOKER} if is_booker else set())
    return [
        Action(s, FLOW.step_label(s), str(FLOW.steps[s].question)) for s in FLOW.allowed_steps(booking.status, parties)
    ]
