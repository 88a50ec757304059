"""What must hold of duty lists and tasks (core.integrity): the declared workflows; one version in force
per list (also a constraint) and each version's stored size equal to its entries; every task sent down
cites an entry of a 社区工作事项清单 that communities may be responsible for, or an admitted request; a
sent task has a reply row for each community it was sent to."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows

from .models import AdmissionStatus, DownTask, DutyList, DutyListEntry, DutyListVersion, TaskStatus, VersionStatus
from .workflow import ADMISSION_FLOW, REPLY_FLOW, TASK_FLOW, VERSION_FLOW

for _flow in (VERSION_FLOW, ADMISSION_FLOW, TASK_FLOW, REPLY_FLOW):
    integrity.register_workflow(_flow)


@integrity.register("duties.one_in_force", gettext_lazy("每份清单有且只有一个现行版本（已施行过的清单）"))
def one_in_force(options: Options) -> Iterator[Finding]:
    qs = (
        DutyList.objects.annotate(
            n=Count("versions", filter=Q(versions__status=VersionStatus.IN_FORCE)),
            ever=Count("versions", filter=Q(versions__status__in=[VersionStatus.IN_FORCE, VersionStatus.SUPERSEDED])),
        )
        .filter(ever__gt=0)
        .exclude(n=1)
    )
    for row in rows(qs, "n"):
        yield finding(DutyList, row, "in_force_count", _("现行版本有 %(n)s 个（应为 1 个）。") % {"n": row["n"]})


@integrity.register("duties.version_sizes", gettext_lazy("清单版本记录的事项数与事项一致"))
def version_sizes(options: Options) -> Iterator[Finding]:
    n = DutyListEntry.objects.filter(list_version=OuterRef("pk")).order_by().values("list_version")
    qs = DutyListVersion.objects.annotate(
        n=Coalesce(Subquery(n.annotate(c=Count("pk")).values("c")), 0),
        off=Coalesce(Subquery(n.filter(community_may_be_responsible=False).annotate(c=Count("pk")).values("c")), 0),
    ).exclude(entry_count=F("n"), not_for_community=F("off"))
    for row in rows(qs, "entry_count", "n"):
        yield finding(
            DutyListVersion,
            row,
            "entry_count_drift",
            _("记为 %(a)s 项，实有 %(n)s 项。") % {"a": row["entry_count"], "n": row["n"]},
        )


@integrity.register("duties.tasks_cite_admitted", gettext_lazy("下派到社区的任务都依据现行清单事项或准入事项"))
def tasks_cite_admitted(options: Options) -> Iterator[Finding]:
    sent = DownTask.objects.filter(status__in=[TaskStatus.SENT, TaskStatus.CLOSED])
    admitted = Q(admission__status=AdmissionStatus.ADMITTED)
    listed = Q(
        entry__community_may_be_responsible=True,
        entry__list_version__duty_list__kind="community_work",
        entry__list_version__status__in=[VersionStatus.IN_FORCE, VersionStatus.SUPERSEDED],
    )
    for row in rows(sent.exclude(admitted | listed), "title"):
        yield finding(
            DownTask, row, "task_unadmitted", _("任务「%(t)s」没有依据现行清单事项或准入事项。") % {"t": row["title"]}
        )
    replies = DownTask.communities.through.objects.filter(downtask_id=OuterRef("pk")).order_by().values("downtask_id")
    made = sent.annotate(
        want=Coalesce(Subquery(replies.annotate(c=Count("pk")).values("c")), 0), got=Count("replies")
    ).exclude(want=F("got"))
    for row in rows(made, "want", "got"):
        yield finding(
            DownTask,
            row,
            "task_replies_missing",
            _("下派 %(w)s 个社区，填报记录 %(g)s 条。") % {"w": row["want"], "g": row["got"]},
        )
