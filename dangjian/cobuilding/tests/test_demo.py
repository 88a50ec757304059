"""The demo district: every covenant shows its fulfilment, every liaison their visits and problems, every
estate its governance, and each raised matter can be followed to its end."""

from django.utils import timezone

from dangjian.cobuilding import integrity
from dangjian.cobuilding.fulfilment import fulfilment
from dangjian.cobuilding.models import (
    CoMeeting,
    Covenant,
    EstateGovernance,
    JointBoard,
    ManagementMode,
    Matter,
    Outcome,
)
from dangjian.cobuilding.selectors import liaison_figures
from dangjian.core.integrity import Options
from dangjian.people.models import Liaison
from dangjian.territory.models import Estate


def test_the_demo_keeps_its_covenants_liaisons_estates_and_matters(demo):
    year = timezone.localdate().year
    boards = JointBoard.objects.all()
    assert boards.filter(level="subdistrict").exists() and boards.filter(level="community").exists()
    per_board = {b.name: CoMeeting.objects.filter(board=b).count() for b in boards}
    assert per_board["茂盛社区联席会议"] == 10 and max(per_board.values()) == 12
    covenants = list(Covenant.objects.all())
    rows = fulfilment(covenants, year)
    assert covenants and len(rows) == len(covenants)
    assert all(any(line.made for line in r.lines) and not r.kept for r in rows)  # about half kept
    liaisons = list(Liaison.objects.filter(is_active=True))
    figures = liaison_figures(liaisons, year)
    assert all(f.made > 0 for f in figures) and any(f.collected for f in figures)
    assert Estate.objects.count() == EstateGovernance.objects.count()
    assert set(EstateGovernance.objects.values_list("mode", flat=True)) == set(ManagementMode.values)
    outcomes = set(Matter.objects.values_list("outcome", flat=True))
    assert {Outcome.TASK, Outcome.CASE, Outcome.DEMAND, Outcome.CLOSED} <= outcomes and Outcome.OPEN not in outcomes
    assert not list(integrity.matters_followed(Options())) and not list(integrity.meeting_owner(Options()))
