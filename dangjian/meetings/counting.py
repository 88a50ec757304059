"""What a meeting's roster and votes add up to, against its quorum and majority rules."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from .models import AgendaItem, Attendee, Base, Choice, Meeting, Rule, Vote


@dataclass(frozen=True)
class Tally:
    due: int  # due to attend
    present: int  # signed in (of everyone on the roster)
    present_due: int  # signed in among those due
    quorum_base: int
    quorum_needed: int
    quorum_met: bool
    households_met: bool

    @property
    def absent(self) -> int:
        return self.due - self.present_due


def base_total(meeting: Meeting, base: str, *, due: int, present: int) -> int:
    if base == Base.PRESENT:
        return present
    if base == Base.HOUSEHOLDS:
        return meeting.households_total or 0
    return due


def tally(meeting: Meeting) -> Tally:
    counts = Attendee.objects.filter(meeting=meeting).aggregate(
        n_due=Count("pk", filter=Q(due=True)),
        n_present=Count("pk", filter=Q(signed_in_at__isnull=False)),
        n_present_due=Count("pk", filter=Q(due=True, signed_in_at__isnull=False)),
    )
    return tally_of(meeting, counts["n_due"], counts["n_present"], counts["n_present_due"])


def tally_of(meeting: Meeting, due: int, present: int, present_due: int) -> Tally:
    rule = meeting.quorum_rule
    base = base_total(meeting, rule.base, due=due, present=present)
    met = rule.met(present_due, base)
    households = False
    if meeting.households_quorum_num and meeting.households_total:
        households = Rule(meeting.households_quorum_num, meeting.households_quorum_den, False, Base.HOUSEHOLDS).met(
            meeting.households_present or 0, meeting.households_total
        )
    return Tally(due, present, present_due, base, rule.needed(base), met or households, households)


@dataclass(frozen=True)
class ItemResult:
    item: AgendaItem
    votes_for: int
    against: int
    abstain: int
    by_hands: bool
    base: int
    needed: int
    passed: bool

    @property
    def cast(self) -> int:
        return self.votes_for + self.against + self.abstain

    @property
    def text(self) -> str:
        how = _("举手表决") if self.by_hands else _("手机表决")
        verdict = _("通过") if self.passed else _("未通过")
        return _("%(how)s：同意 %(f)s，反对 %(a)s，弃权 %(b)s；需同意 %(n)s 票，%(v)s") % {
            "how": how,
            "f": self.votes_for,
            "a": self.against,
            "b": self.abstain,
            "n": self.needed,
            "v": verdict,
        }


def results(meeting: Meeting, counted: Tally | None = None) -> list[ItemResult]:
    """Each agenda item's count and verdict; an item passes only when the meeting had its quorum."""
    counted = counted or tally(meeting)
    items = list(meeting.items.all())
    cast: dict[int, dict[str, int]] = {}
    for item_id, choice, n in (
        Vote.objects.filter(item__meeting=meeting).values_list("item_id", "choice").annotate(n=Count("pk")).order_by()
    ):
        cast.setdefault(item_id, {})[choice] = n
    rule = meeting.majority_rule
    base = base_total(meeting, rule.base, due=counted.due, present=counted.present_due)
    out = []
    for item in items:
        by_hands = item.hands_for is not None
        if by_hands:
            f, a, b = item.hands_for or 0, item.hands_against or 0, item.hands_abstain or 0
        else:
            mine = cast.get(item.pk, {})
            f, a, b = mine.get(Choice.FOR, 0), mine.get(Choice.AGAINST, 0), mine.get(Choice.ABSTAIN, 0)
        passed = item.needs_vote and counted.quorum_met and rule.met(f, base)
        out.append(ItemResult(item, f, a, b, by_hands, base, rule.needed(base), passed))
    return out


def quorum_text(meeting: Meeting, counted: Tally) -> str:
    verdict = _("已达到法定人数") if counted.quorum_met else _("未达到法定人数")
    return _("应到 %(due)s 人，实到 %(present)s 人（法定人数：%(rule)s，即至少 %(n)s 人），%(v)s") % {
        "due": counted.due,
        "present": counted.present_due,
        "rule": str(meeting.quorum_rule),
        "n": counted.quorum_needed,
        "v": verdict,
    }
