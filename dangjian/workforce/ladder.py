"""The ladder's arithmetic, on one table read once (`LadderTable.load`): the entry grade of a post for an
education, the years a step-up needs, the next grade (capped at the post's top), and the monthly pay of
a grade with the subsidies that apply. Pure: the services, the step-up run and the what-if view share it.

Templates of the seeds' schemes (三岗十八级, 3岗32级) are `TEMPLATES`: a district creates its own table from
one and edits it (the admin); nothing here is a rule in force.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from .models import EDUCATION_ORDER, Ladder, SubsidyApplies


@dataclass(frozen=True)
class PostRange:
    pk: int
    code: str
    name: str
    min_grade: int
    max_grade: int


@dataclass
class LadderTable:
    ladder_id: int
    step_years: int
    posts: dict[str, PostRange]  # by code
    posts_by_pk: dict[int, PostRange]
    pay: dict[int, Decimal]  # grade → monthly pay
    entry_credit: dict[str, int] = field(default_factory=dict)  # education → grades on entry
    years_off: dict[str, int] = field(default_factory=dict)  # education → years off the N-year rule
    subsidies: list[tuple[str, Decimal]] = field(default_factory=list)  # (applies, monthly)

    @classmethod
    def load(cls, ladder: Ladder) -> LadderTable:
        posts = [
            PostRange(p.pk, p.code, p.name, p.min_grade, p.max_grade) for p in ladder.posts.all().order_by("sort", "pk")
        ]
        credits = list(ladder.credits.all())
        return cls(
            ladder_id=ladder.pk,
            step_years=ladder.step_years,
            posts={p.code: p for p in posts},
            posts_by_pk={p.pk: p for p in posts},
            pay=dict(ladder.grades.values_list("grade", "monthly_pay")),
            entry_credit={c.education: c.entry_grades for c in credits},
            years_off={c.education: c.years_off for c in credits},
            subsidies=list(ladder.subsidies.values_list("applies", "monthly")),
        )

    # -- grades --------------------------------------------------------------------------------------
    def _credit(self, table: dict[str, int], education: str) -> int:
        """The credit of the highest education the table names at or below `education`."""
        if education not in EDUCATION_ORDER:
            return 0
        best = 0
        for level in EDUCATION_ORDER[: EDUCATION_ORDER.index(education) + 1]:
            best = table.get(level, best)
        return best

    def entry_grade(self, post: PostRange, education: str) -> int:
        return min(post.max_grade, post.min_grade + self._credit(self.entry_credit, education))

    def required_years(self, education: str) -> int:
        return max(1, self.step_years - self._credit(self.years_off, education))

    def clamp(self, post: PostRange, grade: int) -> int:
        return max(post.min_grade, min(post.max_grade, grade))

    def step_up(
        self, post: PostRange, grade: int, since: datetime.date, education: str, on: datetime.date
    ) -> int | None:
        """The grade a worker at `grade` since `since` steps up to on `on`, or None: not yet N full
        years at the grade, or already at the post's top."""
        if grade >= post.max_grade:
            return None
        if full_years(since, on) < self.required_years(education):
            return None
        return grade + 1

    # -- pay -------------------------------------------------------------------------------------------
    def grade_pay(self, grade: int) -> Decimal:
        if grade in self.pay:
            return self.pay[grade]
        known = sorted(self.pay)
        if not known:
            return Decimal(0)
        # A grade the table lacks is paid as the nearest grade below it (or the lowest).
        below = [g for g in known if g <= grade]
        return self.pay[below[-1] if below else known[0]]

    def subsidy(self, *, kind: str, is_committee: bool, dual_role: bool) -> Decimal:
        total = Decimal(0)
        for applies, monthly in self.subsidies:
            if (
                applies == SubsidyApplies.ALL
                or (applies == SubsidyApplies.COMMITTEE and is_committee)
                or (applies == SubsidyApplies.DUAL_ROLE and dual_role)
                or (applies == SubsidyApplies.SECRETARY and kind == "secretary")
            ):
                total += monthly
        return total

    def monthly(self, grade: int, *, kind: str, is_committee: bool, dual_role: bool) -> Decimal:
        return self.grade_pay(grade) + self.subsidy(kind=kind, is_committee=is_committee, dual_role=dual_role)


def full_years(since: datetime.date, on: datetime.date) -> int:
    years = on.year - since.year
    if (on.month, on.day) < (since.month, since.day):
        years -= 1
    return max(0, years)


# -- the seeds' schemes, as templates a district starts from -------------------------------------------
@dataclass(frozen=True)
class Template:
    name: str
    step_years: int
    posts: list[tuple[str, str, int, int]]  # code, name, min grade, max grade
    first_pay: Decimal
    pay_step: Decimal
    grades: int
    credits: list[tuple[str, int, int]]  # education, entry grades, years off
    subsidies: list[tuple[str, str, Decimal]]  # name, applies, monthly


TEMPLATES: dict[str, Template] = {
    # 001: 三岗十八级, average 3,800 元/month, 4,100 元 for a secretary who is also director.
    "3x18": Template(
        name="三岗十八级",
        step_years=3,
        posts=[("head", "社区正职", 7, 18), ("deputy", "社区副职", 4, 15), ("worker", "社区专职工作者", 1, 12)],
        first_pay=Decimal("3000.00"),
        pay_step=Decimal("100.00"),
        grades=18,
        credits=[("college", 0, 0), ("bachelor", 1, 0), ("master", 2, 1)],
        subsidies=[("一肩挑补贴", SubsidyApplies.DUAL_ROLE, Decimal("300.00"))],
    ),
    # 000: 3岗32级 for professional social workers.
    "3x32": Template(
        name="3岗32级",
        step_years=2,
        posts=[("head", "负责人岗", 17, 32), ("deputy", "副职岗", 9, 26), ("worker", "社工岗", 1, 20)],
        first_pay=Decimal("3200.00"),
        pay_step=Decimal("80.00"),
        grades=32,
        credits=[("bachelor", 1, 0), ("master", 3, 1)],
        subsidies=[("两委补贴", SubsidyApplies.COMMITTEE, Decimal("2000.00"))],
    ),
}
