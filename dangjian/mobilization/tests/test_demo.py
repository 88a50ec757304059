"""The demo's call-ups: the finished typhoon call-up (its temporary committee closed and archived, every
listed household visited or excused, its need met) and the drill in progress in 拱北街道 with unmet
headcount in two grids of 婆石社区. Their situation figures (from the store) and the end-of-deployment
report match a hand count of the rows."""

from decimal import Decimal

from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse

from dangjian.accounts.models import User
from dangjian.mobilization import selectors
from dangjian.mobilization.models import (
    Call,
    CallUp,
    CallUpStatus,
    Need,
    Placement,
    PlacementStatus,
    Quota,
    Task,
    Visit,
    VisitStatus,
)
from dangjian.mobilization.views.callups import report_context
from dangjian.territory.models import Area


def hand_count(callup: CallUp, path: str) -> dict:
    """The figures of one node, counted from the rows themselves (not the store)."""
    calls = Call.objects.filter(callup=callup, place_path__startswith=path)
    visits = Visit.objects.filter(callup=callup, grid__path__startswith=path)
    needs = Need.objects.filter(visit__callup=callup, visit__grid__path__startswith=path)
    tasks = Task.objects.filter(callup=callup, grid__path__startswith=path)
    return {
        "called": calls.count(),
        "answered": calls.filter(answered_at__isnull=False).count(),
        "placed": Placement.objects.filter(callup=callup, status=PlacementStatus.ACTIVE, grid__path__startswith=path)
        .values("call")
        .distinct()
        .count(),
        "hours": calls.aggregate(s=Sum("hours"))["s"] or Decimal("0"),
        "wanted": Quota.objects.filter(callup=callup, area_path__startswith=path).aggregate(s=Sum("headcount"))["s"]
        or 0,
        "listed": visits.count(),
        "visited": visits.filter(status=VisitStatus.VISITED).count(),
        "excused": visits.filter(status=VisitStatus.EXCUSED).count(),
        "needs": needs.count(),
        "met": needs.filter(met_at__isnull=False).count(),
        "tasks": tasks.count(),
        "done": tasks.filter(done_at__isnull=False).count(),
    }


FIGURES = ("called", "answered", "placed", "hours", "wanted", "listed", "visited", "excused", "needs", "met")
FIGURES += ("tasks", "done")
# The report's totals row, in its columns' order.
REPORT_ROW = ("called", "answered", "wanted", "placed", "hours", "listed", "visited", "excused", "needs", "met")
REPORT_ROW += ("tasks", "done")


def figures(fig) -> dict:
    return {key: getattr(fig, key) for key in FIGURES}


def test_the_demo_call_ups_match_a_hand_count(demo, client):
    typhoon = CallUp.objects.get(title="台风“苏拉”防御下沉")
    drill = CallUp.objects.get(title="防汛应急演练")

    # The typhoon is over: its committee closed and archived, nobody on the list left without a reason.
    assert typhoon.status == CallUpStatus.ENDED and typhoon.archive
    assert typhoon.temp_org is not None and typhoon.temp_org.closed_on is not None
    assert not selectors.unvisited_without_reason(typhoon).exists()
    assert hand_count(typhoon, typhoon.area.path)["met"] == hand_count(typhoon, typhoon.area.path)["needs"] == 1

    # The drill is live in 拱北街道, short of hands in two grids of 婆石社区.
    assert drill.status == CallUpStatus.ACTIVE and drill.is_drill and drill.area.name == "拱北街道"
    community = Area.objects.get(name="婆石社区")
    _total, grids = selectors.situation(drill, community)
    assert sum(g.unmet > 0 for g in grids) == 2

    # The store's figures, at the issuing node and each of its children, equal the hand count.
    for callup in (typhoon, drill):
        for node in (callup.area, community):
            total, children = selectors.situation(callup, node)
            assert figures(total) == hand_count(callup, node.path), (callup.title, node.name)
            for child in children:
                assert figures(child) == hand_count(callup, child.node.path), (callup.title, child.node.name)

    # The report prints those totals; the district admin downloads it as a PDF.
    context = report_context(typhoon)
    assert figures(context["total"]) == hand_count(typhoon, typhoon.area.path)
    html = render_to_string("mobilization/report.html", context)
    row = "<tr><td>" + "</td><td>".join(str(getattr(context["total"], k)) for k in REPORT_ROW) + "</td></tr>"
    assert row in html
    assert context["honours"] and all(h.name in html for h in context["honours"])
    client.force_login(User.objects.get(username="qu_admin"))
    response = client.get(reverse("mobilization:report", args=[typhoon.public_id]))
    assert response.status_code == 200
    if response["Content-Type"] == "application/pdf":
        assert response.content.startswith(b"%PDF")
