"""The whole (status, step, party) matrix of the sheet workflow: the organization's secretary takes the
report, the district (and the system) the others; another district admin's colleague in scope may read but
not act as the secretary, an outsider nothing."""

import pytest

from dangjian.assessment.models import Sheet, SheetStatus
from dangjian.assessment.workflow import FLOW, Party, Step
from dangjian.core.workflow import TransitionRefused

pytestmark = pytest.mark.django_db

SECRETARY_STEPS = {Step.REPORT}


def test_only_the_declared_moves_are_open(world, cast, sheet):
    u = world.users
    for status in SheetStatus.values:
        Sheet.objects.filter(pk=sheet.pk).update(status=status)
        sheet.refresh_from_db()
        for step in Step.values:
            declared = FLOW.move(status, step) is not None
            by_secretary = declared and step in SECRETARY_STEPS
            by_district = declared and step not in SECRETARY_STEPS
            for actor, may in (
                (cast.secretary, by_secretary),
                (cast.district, by_district),
                (None, declared),
                (cast.branch_secretary, False),  # a branch's secretary is not the committee's
                (cast.outsider_secretary, False),
                (u.subdistrict_admin, False),  # reads the sheet, takes no step
                (u.subdistrict_admin_outsider, False),
            ):
                try:
                    FLOW.check(sheet, actor=actor, step=step)
                    allowed = True
                except TransitionRefused:
                    allowed = False
                assert allowed is may, (status, step, getattr(actor, "username", "system"))


def test_the_declaration_names_its_parties():
    assert {p for m in FLOW.moves for p in m.parties} == set(Party.values)
    assert FLOW.statuses(is_open=True) == {SheetStatus.DRAFT, SheetStatus.REPORTED, SheetStatus.SCORED}
