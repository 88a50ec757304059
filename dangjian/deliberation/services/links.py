"""A passed resolution becomes a case, a demand or a 民生微实事 project: through the cases', demands' and
projects' own services (never a copy of them), remembered as a `ResolutionLink` so a second click
finds the first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.cases.intake.services import case_submit
from dangjian.cases.models import Case, CaseCategory, Channel
from dangjian.demands.models import Demand, DemandKind
from dangjian.demands.services import demand_submit
from dangjian.microprojects.models import Project, Source
from dangjian.microprojects.services import project_propose

from ..models import LinkTarget, Matter, ResolutionLink, Run, RunStatus, Topic, TopicStatus
from ..permissions import require_manager

# A run's matters are decided from the representatives' resolution on.
DECIDED_RUN = frozenset({RunStatus.RESOLVED, RunStatus.IMPLEMENTING, RunStatus.RESULT_PUBLISHED, RunStatus.CLOSED})


@dataclass(frozen=True)
class Resolution:
    """What a link starts from: a decided matter of a run, or a decided topic."""

    matter: Matter | None
    topic: Topic | None
    community: Any
    title: str
    text: str

    @property
    def area_path(self) -> str:
        return self.community.path

    def links(self):
        return (
            ResolutionLink.objects.filter(matter=self.matter)
            if self.matter
            else ResolutionLink.objects.filter(topic=self.topic)
        )


def resolution_of(matter: Matter | None = None, topic: Topic | None = None, *, lock: bool = False) -> Resolution:
    """The resolution (its run or topic locked with `lock`: two clicks at once wait there); refused
    when it is not decided yet."""
    if (matter is None) == (topic is None):
        raise ValueError("one of matter or topic")
    if topic is None:
        runs = Run.objects.select_for_update() if lock else Run.objects
        assert matter is not None  # exactly one of the two was given
        run = runs.select_related("community").get(pk=matter.run_id)
        if run.status not in DECIDED_RUN:
            raise ValidationError(
                _("「%(r)s」尚未经居民代表会议决议（当前：%(s)s），不能据此创建。")
                % {"r": run.title, "s": run.get_status_display()}
            )
        return Resolution(
            matter=matter,
            topic=None,
            community=run.community,
            title=matter.title,
            text=_("根据四议两公开决议「%(r)s」办理：%(m)s") % {"r": run.title, "m": matter.title},
        )
    topics = Topic.objects.select_for_update() if lock else Topic.objects
    locked = topics.select_related("community").get(pk=topic.pk)
    if locked.status != TopicStatus.DECIDED:
        raise ValidationError(
            _("议题「%(t)s」尚未议定（当前：%(s)s），不能据此创建。")
            % {"t": locked.title, "s": locked.get_status_display()}
        )
    body = f"\n{locked.answer}" if locked.answer else ""
    return Resolution(
        matter=None,
        topic=locked,
        community=locked.community,
        title=locked.title,
        text=_("根据议事会议定的议题「%(t)s」办理。") % {"t": locked.title} + body,
    )


TARGET_MODELS: dict[str, Any] = {LinkTarget.CASE: Case, LinkTarget.DEMAND: Demand, LinkTarget.PROJECT: Project}


def existing_target(resolution: Resolution, kind: str) -> Case | Demand | Project | None:
    link = resolution.links().filter(target_kind=kind).first()
    if link is None:
        return None
    return TARGET_MODELS[kind].objects.filter(public_id=link.target_id).first()


def _link(actor: Any, resolution: Resolution, kind: str, target: Case | Demand | Project) -> None:
    ResolutionLink.objects.create(
        matter=resolution.matter,
        topic=resolution.topic,
        target_kind=kind,
        target_id=target.public_id,
        area_path=resolution.area_path,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def resolution_case(
    *,
    actor: Any,
    category: CaseCategory | str | None,
    matter: Matter | None = None,
    topic: Topic | None = None,
    description: str = "",
) -> tuple[Case, bool]:
    """The case a resolution asks for (accepted at once, the actor its owner); `(case, created)`:
    the resolution's existing case when it already made one."""
    resolution = resolution_of(matter, topic, lock=True)
    require_manager(actor, resolution.area_path, _("根据议事决议创建事件"))
    existing = existing_target(resolution, LinkTarget.CASE)
    if isinstance(existing, Case):
        return existing, False
    case = case_submit(
        actor=actor,
        channel=Channel.WALK_IN,
        category=category or "",
        description=description.strip() or resolution.text,
        area=resolution.community,
        reporter_name=_("%(c)s议事会") % {"c": resolution.community.name},
        accept=True,
    )
    _link(actor, resolution, LinkTarget.CASE, case)
    return case, True


@transaction.atomic
def resolution_demand(
    *, actor: Any, matter: Matter | None = None, topic: Topic | None = None, description: str = ""
) -> tuple[Demand, bool]:
    """The public need (公共需求) a resolution asks for; `(demand, created)` as for cases."""
    resolution = resolution_of(matter, topic, lock=True)
    require_manager(actor, resolution.area_path, _("根据议事决议创建需求"))
    existing = existing_target(resolution, LinkTarget.DEMAND)
    if isinstance(existing, Demand):
        return existing, False
    demand = demand_submit(
        actor=actor,
        kind=DemandKind.PUBLIC_NEED,
        title=resolution.title,
        description=description.strip() or resolution.text,
        community=resolution.community,
        requester_name=_("%(c)s议事会") % {"c": resolution.community.name},
    )
    _link(actor, resolution, LinkTarget.DEMAND, demand)
    return demand, True


@transaction.atomic
def resolution_project(
    *,
    actor: Any,
    kind: str,
    matter: Matter | None = None,
    topic: Topic | None = None,
    description: str = "",
    estimated_amount: Any = None,
) -> tuple[Project, bool]:
    """The 民生微实事 project a resolution asks for (in 征集, its source the council's resolution, the
    matter's amount its estimate); `(project, created)` as for cases. The district's caps apply."""
    resolution = resolution_of(matter, topic, lock=True)
    require_manager(actor, resolution.area_path, _("根据议事决议创建民生微实事项目"))
    existing = existing_target(resolution, LinkTarget.PROJECT)
    if isinstance(existing, Project):
        return existing, False
    if estimated_amount in (None, "") and resolution.matter is not None and resolution.matter.amount:
        estimated_amount = resolution.matter.amount
    source = resolution.matter or resolution.topic
    assert source is not None  # a resolution has one of the two
    ref = f"deliberation.{source._meta.model_name}:{source.pk}"
    project = project_propose(
        actor=actor,
        community=resolution.community,
        title=resolution.title,
        description=description.strip() or resolution.text,
        kind=kind,
        source=Source.COUNCIL,
        source_ref=ref,
        estimated_amount=estimated_amount,
    )
    _link(actor, resolution, LinkTarget.PROJECT, project)
    return project, True
