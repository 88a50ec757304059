"""The one workflow engine: a workflow is declared once per model, and `take_step` runs every step.

A declaration (`Workflow`) holds
- the states with what they mean (`State`: open, done, counts as closed, badge, resident hint, Open311);
- the steps with what a person sees and what runs them (`StepSpec`: label, service, form, question,
  note rule, done message);
- the moves (`Move`: from which states a step may be taken, to which state, by which parties).

Everything else is derived from it: status sets, hints, badges, the steps a person may take now, the
desk's step dispatch, the generated matrix tests. `take_step` does the lock, the version check, the
state and party checks, the conditional update, the log row and the audit row (through the
`step_taken` signal, which the audit app records: `core` imports no other app).

A subclass per model supplies who the actor is to the object (`parties_for`) and, where the product
words differ, the messages. See docs/architecture.md, "Adding a workflow state".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .scoping import acting_user

# Sent inside the step's transaction once the row and its log are written:
# sender=the model, workflow, actor, obj, step, from_status, to_status, note, changes.
step_taken = Signal()

REGISTRY: dict[str, Workflow] = {}

Text = str | Promise


class TransitionRefused(ValidationError):
    """A step that may not be taken now: wrong state, wrong party, or a rule of the step."""


class StaleObject(TransitionRefused):
    """The object changed since the actor read it: they must look again before acting."""


@dataclasses.dataclass(frozen=True)
class State:
    """What a status means."""

    code: str
    is_open: bool = True  # work is still to be done on it
    is_done: bool = False  # the work was done (as opposed to refused, withdrawn, merged)
    counts_as_closed: bool = False  # figures count it among the closed ones
    badge: str = "neutral"  # the colour modifier of the app's status badge
    hint: Text = ""  # what the resident (or the applicant) reads about it
    open311: str = ""  # "open" or "closed" where the model is served over Open311


@dataclasses.dataclass(frozen=True)
class StepSpec:
    """A step as a person meets it. `service` is the dotted path of the function the desk calls."""

    code: str
    service: str = ""
    form: str = ""  # dotted path of the desk form, where the step has one
    question: Text = ""  # the confirmation a button asks
    button: Text = ""  # the button's words when they differ from the step's label
    note_label: Text = ""
    note_required: bool = False
    note_message: Text = ""  # the error when a required note is missing
    warning: Text = ""  # shown beside the step's form
    done_message: Text = ""  # shown once the step is taken
    manual: bool = True  # False: only the system takes it (scans, imports); no service needed
    # Who is told once the step is taken: names the Workflow's `recipients` resolves to users
    # (the notifications app writes their messages; core only declares).
    notify: tuple[str, ...] = ()


KEEP = ""  # a move's target that leaves the status as it is (a progress note, a supervision...)


@dataclasses.dataclass(frozen=True)
class Move:
    sources: tuple[str, ...]
    step: str
    target: str  # KEEP for a step that does not move the status
    parties: frozenset[str]
    notify: tuple[str, ...]  # who is told when the step is taken by this move (besides the StepSpec's)

    def __init__(
        self,
        sources: str | Iterable[str],
        step: str,
        target: str,
        parties: Iterable[str],
        notify: Iterable[str] = (),
    ):
        object.__setattr__(self, "sources", (sources,) if isinstance(sources, str) else tuple(sources))
        object.__setattr__(self, "step", step)
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "parties", frozenset(parties))
        object.__setattr__(self, "notify", tuple(notify))


class Workflow:
    """One model's workflow. Subclass it for the hooks; instantiate it once, at import time."""

    name: ClassVar[str] = ""  # "cases.case"
    model: ClassVar[type[models.Model]]
    log_model: ClassVar[type[models.Model]]
    log_fk: ClassVar[str]  # the log model's foreign key to `model`
    status_field: ClassVar[str] = "status"
    version_field: ClassVar[str | None] = "version"  # None: the update is conditional on the status
    status_choices: ClassVar[type[models.TextChoices]]
    step_choices: ClassVar[type[models.TextChoices]]
    party_choices: ClassVar[type[models.TextChoices] | None] = None
    system_party: ClassVar[str | None] = None  # the party the system acts as
    system_takes_any_step: ClassVar[bool] = False  # the system (actor None) may take every step
    log_only_steps: ClassVar[dict[str, Text]] = {}  # log rows no one takes as a step (scans)
    note_max: ClassVar[int] = 500

    msg_state: ClassVar[Text] = gettext_lazy("%(obj)s当前状态为「%(status)s」，不能%(step)s。")
    msg_last: ClassVar[Text] = gettext_lazy("（最近一步：%(who)s %(step)s）")
    msg_party: ClassVar[Text] = gettext_lazy("您不能对%(obj)s执行「%(step)s」（需由%(who)s操作）。")
    msg_stale: ClassVar[Text] = gettext_lazy("%(obj)s已被 %(who)s 更新（%(step)s），请刷新后再操作。")
    msg_note: ClassVar[Text] = gettext_lazy("请填写%(what)s。")
    msg_notice: ClassVar[Text] = gettext_lazy("%(obj)s：%(step)s")

    def __init__(self, *, states: Iterable[State], steps: Iterable[StepSpec], moves: Iterable[Move]):
        self.states: dict[str, State] = {s.code: s for s in states}
        self.steps: dict[str, StepSpec] = {s.code: s for s in steps}
        self.moves: list[Move] = list(moves)
        self._table: dict[tuple[str, str], Move] = {}
        for move in self.moves:
            for source in move.sources:
                key = (str(source), str(move.step))
                if key in self._table:
                    raise ValueError(f"{self.name}: two moves for {key}")
                self._table[key] = move
        if self.name in REGISTRY:
            raise ValueError(f"workflow {self.name} declared twice")
        REGISTRY[self.name] = self

    # --- derived from the declaration ----------------------------------------------------------

    def statuses(self, **flags: bool) -> frozenset[str]:
        """The status codes whose meaning has every flag given, e.g. statuses(is_open=True)."""
        return frozenset(
            code for code, state in self.states.items() if all(getattr(state, k) == v for k, v in flags.items())
        )

    def state(self, code: str) -> State:
        return self.states[code]

    def status_label(self, code: str) -> str:
        return str(self.status_choices(code).label) if code in self.status_choices.values else code

    def step_label(self, code: str) -> str:
        if code in self.step_choices.values:
            return str(self.step_choices(code).label)
        return str(self.log_only_steps.get(code, code))

    def party_label(self, code: str) -> str:
        assert self.party_choices is not None
        return str(self.party_choices(code).label)

    def move(self, status: str, step: str) -> Move | None:
        return self._table.get((str(status), str(step)))

    def target(self, status: str, step: str) -> str | None:
        move = self.move(status, step)
        if move is None:
            return None
        return move.target or status

    def allowed_steps(self, status: str, parties: Iterable[str]) -> list[str]:
        """The steps any of `parties` may take in `status`, in declaration order."""
        parties = set(parties)
        steps: list[str] = []
        for move in self.moves:
            if status in move.sources and move.parties & parties and move.step not in steps:
                steps.append(move.step)
        return steps

    def notify_names(self, step: str, from_status: str) -> tuple[str, ...]:
        """Who is told when `step` is taken from `from_status`: the step's names, then the move's."""
        spec = self.steps.get(step)
        move = self.move(from_status, step)
        names = (spec.notify if spec is not None else ()) + (move.notify if move is not None else ())
        return tuple(dict.fromkeys(names))

    def notify_declarations(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """Every (source status, step, names) that tells someone: what the tests walk."""
        return [
            (source, move.step, names)
            for move in self.moves
            for source in move.sources
            if (names := self.notify_names(move.step, source))
        ]

    def service(self, step: str) -> Callable[..., Any]:
        spec = self.steps[step]
        if not spec.service:
            raise LookupError(f"{self.name}: step {step} has no service")
        return import_string(spec.service)

    # --- hooks a subclass overrides ---------------------------------------------------------------

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        raise NotImplementedError

    def describe(self, obj: Any) -> str:
        """The object as messages name it, e.g. 「事件 C2026…」."""
        return str(obj)

    def recipients(self, obj: Any, name: str, actor: Any) -> Iterable[Any]:
        """The users (or user ids) a `notify` name of a step means for `obj`, e.g. "resident"."""
        raise NotImplementedError(f"{self.name}: recipients() does not know {name!r}")

    def object_url(self, obj: Any, name: str = "") -> str:
        """Where a message about `obj` links the people `name` means (a resident's page may differ
        from the desk's)."""
        get = getattr(obj, "get_absolute_url", None)
        return get() if get is not None else ""

    def object_key(self, obj: Any) -> str:
        """What messages about `obj` collapse on, e.g. "cases.case:<public id>"."""
        return f"{self.name}:{getattr(obj, 'public_id', None) or obj.pk}"

    def notice_text(self, obj: Any, step: str, note: str) -> tuple[str, str]:
        """The title and body of the message a step's recipients get."""
        title = str(self.msg_notice) % {"obj": self.describe(obj), "step": self.step_label(step)}
        return title, note

    def area_path(self, obj: Any) -> str:
        return getattr(obj, "area_path", "")

    def lock(self, obj: Any) -> Any:
        return type(obj)._default_manager.select_for_update().get(pk=obj.pk)

    def actor_label(self, actor: Any) -> str:
        user = acting_user(actor)
        if user is None:
            return _("系统")
        return getattr(user, "full_name", "") or user.get_username()

    def step_fields(self, obj: Any, target: str) -> dict[str, Any]:
        """Columns every step sets besides the status (e.g. the next step's due time)."""
        return {}

    def may_take(self, move: Move, parties: set[str], actor: Any) -> bool:
        if move.parties & parties:
            return True
        return self.system_takes_any_step and acting_user(actor) is None and self.system_party in parties

    def last_step_text(self, obj: Any) -> tuple[str, str]:
        """Who took the last step on `obj`, and which: the loser of a race is told who won."""
        last = self.log_model._default_manager.filter(**{self.log_fk: obj}).order_by("-at", "-pk").first()
        if last is None:
            return _("他人"), ""
        return getattr(last, "actor_label", "") or _("他人"), self.step_label(getattr(last, "step", ""))

    def refuse_state(self, obj: Any, step: str, version: int | None) -> str:
        message = str(self.msg_state) % {
            "obj": self.describe(obj),
            "status": self.status_label(getattr(obj, self.status_field)),
            "step": self.step_label(step),
        }
        if version is None and self.version_field and getattr(obj, self.version_field) > 1:
            who, last = self.last_step_text(obj)
            message += str(self.msg_last) % {"who": who, "step": last}
        return message

    def refuse_party(self, obj: Any, move: Move, parties: set[str]) -> str:
        who = "、".join(self.party_label(p) for p in sorted(move.parties, key=self._party_order))
        return str(self.msg_party) % {"obj": self.describe(obj), "step": self.step_label(move.step), "who": who}

    def stale_message(self, obj: Any) -> str:
        who, step = self.last_step_text(obj)
        return str(self.msg_stale) % {"obj": self.describe(obj), "who": who, "step": step}

    def _party_order(self, code: str) -> int:
        values = list(self.party_choices.values) if self.party_choices else []
        return values.index(code) if code in values else len(values)

    # --- checks --------------------------------------------------------------------------------

    def check_version(self, obj: Any, version: int | None) -> None:
        if version is not None and self.version_field and version != getattr(obj, self.version_field):
            raise StaleObject(self.stale_message(obj))

    def check(self, obj: Any, *, actor: Any, step: str, version: int | None = None) -> tuple[Move, set[str]]:
        """Raise TransitionRefused unless `actor` may take `step` on `obj` now; return the move."""
        self.check_version(obj, version)
        parties = self.parties_for(actor, obj)
        move = self.move(getattr(obj, self.status_field), step)
        if move is None:
            raise TransitionRefused(self.refuse_state(obj, step, version))
        if not self.may_take(move, parties, actor):
            raise TransitionRefused(self.refuse_party(obj, move, parties))
        return move, parties

    def log(
        self,
        obj: Any,
        *,
        actor: Any,
        step: str,
        from_status: str,
        to_status: str,
        note: str = "",
        public: bool = True,
        label: str = "",
        at: Any = None,
    ) -> models.Model:
        """Write one log row. `label` names an actor that is not a person (an Open311 client)."""
        user = acting_user(actor)
        return self.log_model._default_manager.create(
            **{self.log_fk: obj},
            at=at or timezone.now(),
            actor=user,
            actor_label=(label if user is None and label else self.actor_label(actor))[:100],
            step=step,
            from_status=from_status,
            to_status=to_status,
            note=(note or "")[: self.note_max],
            public=public,
        )


@transaction.atomic
def take_step(
    flow: Workflow,
    *,
    actor: Any,
    obj: Any,
    step: str,
    version: int | None = None,
    note: str | Callable[[Any], str] = "",
    public: bool = True,
    fields: dict[str, Any] | None = None,
    to_status: str | None = None,
    prepare: Callable[[Any, set[str]], dict[str, Any] | None] | None = None,
    after: Callable[[Any, str], None] | None = None,
    label: str = "",
    at: Any = None,
    audit: dict[str, Any] | None = None,
) -> Any:
    """Take `step` on `obj`: lock, check version, state and party, update, log, audit.

    `fields` are other columns the step sets; `to_status` overrides the move's target (the system's
    scans). `prepare(locked, parties)` runs on the locked row once the step is allowed: it validates
    what depends on the current state (raising ValidationError) and returns more fields. `note` may
    be computed from the locked row. `after(obj, from_status)` writes the step's other rows. `audit`
    adds entries to the audit row's changes."""
    locked = flow.lock(obj)
    move, parties = flow.check(locked, actor=actor, step=step, version=version)
    spec = flow.steps.get(step)
    if spec is not None and spec.note_required and not (callable(note) or (note or "").strip()):
        message = spec.note_message or str(flow.msg_note) % {"what": spec.note_label or _("说明")}
        raise ValidationError({"note": message})
    from_status = getattr(locked, flow.status_field)
    target = to_status or move.target or from_status
    extra = prepare(locked, parties) if prepare is not None else None
    text = (note(locked) if callable(note) else note or "").strip()
    update: dict[str, Any] = {flow.status_field: target, **flow.step_fields(locked, target)}
    condition: dict[str, Any] = {"pk": locked.pk}
    if flow.version_field:
        update[flow.version_field] = F(flow.version_field) + 1
        condition[flow.version_field] = getattr(locked, flow.version_field)
    else:
        condition[flow.status_field] = from_status
    if any(f.name == "updated_at" for f in flow.model._meta.concrete_fields):
        update["updated_at"] = timezone.now()
    update.update(fields or {})
    update.update(extra or {})
    changed = flow.model._default_manager.filter(**condition).update(**update)
    if changed != 1:  # pragma: no cover - the row lock makes this unreachable; kept as a guard
        raise StaleObject(flow.stale_message(locked))
    locked.refresh_from_db()
    flow.log(
        locked,
        actor=actor,
        step=step,
        from_status=from_status,
        to_status=target,
        note=text,
        public=public,
        label=label,
        at=at,
    )
    if after is not None:
        after(locked, from_status)
    changes: dict[str, Any] = {"step": [None, flow.step_label(step)]}
    if from_status != target:
        changes["status"] = [flow.status_label(from_status), flow.status_label(target)]
    if text:
        changes["note"] = [None, text[:200]]
    changes.update(audit or {})
    step_taken.send(
        sender=flow.model,
        workflow=flow,
        actor=actor,
        obj=locked,
        step=step,
        from_status=from_status,
        to_status=target,
        note=text,
        changes=changes,
    )
    return locked


def check_declaration(flow: Workflow) -> list[str]:
    """What is missing from a declaration; the suite runs it on every registered workflow."""
    problems: list[str] = []
    statuses = set(flow.status_choices.values)
    if set(flow.states) != statuses:
        problems.append(f"{flow.name}: states declared {sorted(flow.states)} != statuses {sorted(statuses)}")
    for code, state in flow.states.items():
        if not state.badge:
            problems.append(f"{flow.name}: state {code} has no badge")
        if state.is_done and state.is_open:
            problems.append(f"{flow.name}: state {code} is both open and done")
    for move in flow.moves:
        for source in move.sources:
            if source not in flow.states:
                problems.append(f"{flow.name}: move {move.step} from undeclared state {source}")
        if move.target and move.target not in flow.states:
            problems.append(f"{flow.name}: move {move.step} to undeclared state {move.target}")
        if move.step not in flow.steps:
            problems.append(f"{flow.name}: step {move.step} has no StepSpec")
        if not move.parties:
            problems.append(f"{flow.name}: step {move.step} names no party")
        if flow.party_choices is not None:
            for party in move.parties:
                if party not in flow.party_choices.values:
                    problems.append(f"{flow.name}: step {move.step} names unknown party {party}")
    for code, spec in flow.steps.items():
        if code not in flow.step_choices.values:
            problems.append(f"{flow.name}: step {code} is not one of the step choices")
        if not any(m.step == code for m in flow.moves):
            problems.append(f"{flow.name}: step {code} has no move")
        if spec.manual:
            if not spec.service:
                problems.append(f"{flow.name}: step {code} has no service")
            else:
                try:
                    import_string(spec.service)
                except ImportError as exc:
                    problems.append(f"{flow.name}: step {code} service {spec.service}: {exc}")
            if not spec.done_message:
                problems.append(f"{flow.name}: step {code} has no done message")
        if spec.form:
            try:
                import_string(spec.form)
            except ImportError as exc:
                problems.append(f"{flow.name}: step {code} form {spec.form}: {exc}")
        for name in spec.notify:
            if not isinstance(name, str) or not name:
                problems.append(f"{flow.name}: step {code} notifies a bad name {name!r}")
        if spec.note_required and not (spec.note_label or spec.note_message):
            problems.append(f"{flow.name}: step {code} requires a note but names none")
    return problems
