"""The call-up workflow's matrix: every (state, step, party) the declaration allows is taken, every
other one refused."""

import pytest
from django.core.exceptions import ValidationError

from dangjian.mobilization import services
from dangjian.mobilization.models import CallUpStatus
from dangjian.mobilization.workflow import FLOW, Party, Step

from .conftest import issue


@pytest.mark.parametrize("status", [CallUpStatus.ACTIVE, CallUpStatus.ENDED])
@pytest.mark.parametrize("party", ["issuer", "system", "outsider", "colleague_below"])
def test_every_state_step_and_party(world, mob, status, party):
    callup = issue(world, quotas=[(world.g1a, 1)])
    if status == CallUpStatus.ENDED:
        services.callup_end(actor=None, callup=callup)
        callup.refresh_from_db()
    actor = {
        "issuer": world.users.district_admin,
        "system": None,
        "outsider": world.users.community_worker_outsider,
        "colleague_below": world.users.subdistrict_admin,
    }[party]
    declared = {"issuer": Party.ISSUER, "system": Party.SYSTEM}.get(party)
    allowed = declared is not None and Step.END in FLOW.allowed_steps(status, {declared})
    if allowed:
        assert services.callup_end(actor=actor, callup=callup).status == CallUpStatus.ENDED
    else:
        with pytest.raises(ValidationError):
            services.callup_end(actor=actor, callup=callup)
