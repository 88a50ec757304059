"""Every (state, step, party) of the step-up declaration: allowed where a move says so, refused elsewhere."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.workflow import TransitionRefused
from dangjian.workforce.models import ProposalStatus
from dangjian.workforce.services import stepup
from dangjian.workforce.workflow import STEPUP_FLOW, Party

ACTORS = {Party.DISTRICT: "district_admin", "none": "subdistrict_admin"}


@pytest.mark.parametrize("status", ProposalStatus.values)
@pytest.mark.parametrize("step", list(STEPUP_FLOW.steps))
@pytest.mark.parametrize("party", list(ACTORS))
def test_matrix(world, placed, status, step, party):
    placed(grade=5, since=datetime.date(2020, 1, 1))
    run, _ = stepup.stepup_run_start(actor=None, district=world.district, year=2024)
    stepup.stepup_run_execute(run.pk)
    p = run.proposals.get()
    p.status = status
    p.save(update_fields=["status"])
    actor = getattr(world.users, ACTORS[party])
    move = STEPUP_FLOW.move(status, step)
    allowed = move is not None and party in move.parties
    if allowed:
        stepup.proposal_step(actor=actor, proposal=p, step=step, note="理由")
        p.refresh_from_db()
        assert p.status == move.target
    else:
        with pytest.raises((TransitionRefused, ValidationError)):
            stepup.proposal_step(actor=actor, proposal=p, step=step, note="理由")
