"""Reads of duty lists, admission and tasks: everything through visible_to (404 for missing and out of
scope alike); the diff of two versions; the communities a sender may reach; who has replied."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from dangjian.accounts.models import RoleAssignment
from dangjian.accounts.roles import Role
from dangjian.core.scoping import scope_for
from dangjian.territory.models import Area, Level

from .models import (
    AdmissionRequest,
    AdmissionStatus,
    DownTask,
    DutyList,
    DutyListEntry,
    DutyListVersion,
    ListKind,
    ReplyStatus,
    SendRefusal,
    TaskReply,
    TaskStatus,
    VersionStatus,
    scope_path,
)

ADMISSION_ORDER = ("-created_at", "-id")
TASK_ORDER = ("-created_at", "-id")
REPLY_ORDER = ("-created_at", "-id")


# -- lists ---------------------------------------------------------------------------------------------------
def lists(user: Any) -> QuerySet[DutyList]:
    return DutyList.objects.visible_to(user).select_related("owner").order_by("area_path", "kind", "pk")


def list_get(user: Any, public_id: Any) -> Any:
    return DutyList.objects.select_related("owner").get_for_user(user, public_id)


def versions_of(duty_list: DutyList) -> list[DutyListVersion]:
    return list(duty_list.versions.select_related("approved_by").order_by("number"))


def version_get(user: Any, public_id: Any) -> Any:
    return DutyListVersion.objects.select_related("duty_list__owner", "approved_by", "based_on").get_for_user(
        user, public_id
    )


def entries_of(version: DutyListVersion) -> QuerySet[DutyListEntry]:
    return version.entries.select_related("kind", "lead_department").order_by("sort", "pk")


@dataclass
class Diff:
    added: list[DutyListEntry] = field(default_factory=list)
    removed: list[DutyListEntry] = field(default_factory=list)
    changed: list[tuple[DutyListEntry, DutyListEntry, list[str]]] = field(default_factory=list)


COMPARED = (
    ("name", "事项名称"),
    ("kind_id", "类别"),
    ("lead", "责任主体"),
    ("community_may_be_responsible", "社区可作为责任主体"),
    ("legal_basis", "设定依据"),
)


def diff(old: DutyListVersion, new: DutyListVersion) -> Diff:
    """What `new` adds, removes and changes against `old`: entries matched by their key (an entry keeps
    its key when a draft is copied from the version in force)."""
    before = {e.key: e for e in entries_of(old)}
    after = {e.key: e for e in entries_of(new)}
    out = Diff()
    for key, entry in after.items():
        was = before.get(key)
        if was is None:
            out.added.append(entry)
            continue
        what = [label for name, label in COMPARED if getattr(was, name) != getattr(entry, name)]
        if what:
            out.changed.append((was, entry, what))
    out.removed = [e for key, e in before.items() if key not in after]
    return out


def community_list_entries(user: Any, district_path: str) -> QuerySet[DutyListEntry]:
    """Entries in force of the 社区工作事项清单 of the district (shared and the communities' own) that a
    task may cite."""
    return (
        DutyListEntry.objects.filter(
            list_version__status=VersionStatus.IN_FORCE,
            list_version__duty_list__kind=ListKind.COMMUNITY_WORK,
            list_version__area_path__startswith=district_path,
        )
        .select_related("kind", "list_version__duty_list")
        .order_by("list_version__area_path", "sort", "pk")
    )


# -- admission -----------------------------------------------------------------------------------------------
def admissions(user: Any, status: str = "") -> QuerySet[AdmissionRequest]:
    qs = AdmissionRequest.objects.visible_to(user).select_related("applicant_department", "applicant_area", "district")
    return qs.filter(status=status) if status in AdmissionStatus.values else qs


def admission_get(user: Any, public_id: Any) -> Any:
    return AdmissionRequest.objects.select_related(
        "applicant_department",
        "applicant_area",
        "district",
        "entry__list_version__duty_list",
        "decided_by",
        "added_entry__list_version",
    ).get_for_user(user, public_id)


def admitted_for(user: Any) -> QuerySet[AdmissionRequest]:
    """Admitted requests a sender may cite: their own department's, or their office's district's."""
    return admissions(user, AdmissionStatus.ADMITTED).order_by("-decided_on", "-id")


def awaiting_decision(user: Any) -> QuerySet[AdmissionRequest]:
    """Requests of the district waiting for the district admin's record of the decision."""
    scope = scope_for(user)
    if scope.role != Role.DISTRICT_ADMIN and not scope.everything:
        return AdmissionRequest.objects.none()
    return admissions(user, AdmissionStatus.SUBMITTED)


# -- tasks ---------------------------------------------------------------------------------------------------
def tasks(user: Any, status: str = "") -> QuerySet[DownTask]:
    qs = DownTask.objects.visible_to(user).select_related("sender_department", "sender_area")
    return qs.filter(status=status) if status in TaskStatus.values else qs


def task_get(user: Any, public_id: Any) -> Any:
    return DownTask.objects.select_related(
        "sender_department",
        "sender_area",
        "entry__kind",
        "entry__list_version__duty_list",
        "admission__district",
    ).get_for_user(user, public_id)


def attach_reply_counts(rows: list[DownTask]) -> list[DownTask]:
    """Each task of a page with its replies: communities reached and replied (one query for the page)."""
    counts = {
        r["task_id"]: r
        for r in TaskReply.objects.filter(task__in=[t.pk for t in rows])
        .values("task_id")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(status=ReplyStatus.REPLIED)))
        .order_by()
    }
    for t in rows:
        c: Any = counts.get(t.pk, {})
        setattr(t, "reached", c.get("n", 0))  # noqa: B010  (page extras, not model fields)
        setattr(t, "replied", c.get("done", 0))  # noqa: B010
    return rows


def replies_of(task: DownTask) -> list[TaskReply]:
    return list(task.replies.select_related("community", "replied_by").order_by("area_path"))


def refusals_of(task: DownTask) -> QuerySet[SendRefusal]:
    return task.refusals.select_related("entry").order_by("-at", "-id")


def reachable_communities(user: Any) -> QuerySet[Area]:
    """The communities under the sender's node (a department's area, an admin's own area)."""
    path = scope_path(scope_for(user))
    if not path:
        return Area.objects.none()
    return Area.objects.filter(level=Level.COMMUNITY, path__startswith=path).order_by("path")


def inbox(user: Any, show: str = "") -> QuerySet[TaskReply]:
    """The replies a community worker's community owes or gave; `show=owed` the pending ones of open tasks."""
    qs = TaskReply.objects.visible_to(user).select_related("task__sender_department", "task__sender_area", "community")
    if show == "owed":
        qs = qs.filter(status=ReplyStatus.PENDING, task__status=TaskStatus.SENT)
    return qs


def reply_get(user: Any, public_id: Any) -> Any:
    return TaskReply.objects.select_related("task", "community", "replied_by").get_for_user(user, public_id)


def community_workers(paths: list[str]) -> list[int]:
    return list(
        RoleAssignment.objects.filter(role=Role.COMMUNITY_WORKER, area__path__in=paths, is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
