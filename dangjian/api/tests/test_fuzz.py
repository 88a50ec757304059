"""Schema-driven fuzzing (schemathesis) of the whole /api/v1/ document: no generated request, valid or
not, gets a 5xx, and every refusal is the one error body. Each operation is fuzzed with generated path
ids and with the ids of real objects in scope, as a community worker and as a resident (the roles of
the desk and of the phone), a bounded number of examples each (the run takes well under a minute)."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

EXAMPLES = 5  # per operation, token, pass (generated or real ids) and mode (valid or invalid data)
CALLS: list[int] = []


def _fuzz(strategy, headers: dict) -> None:  # noqa: ANN001 - a hypothesis strategy
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case) -> None:  # noqa: ANN001 - a schemathesis Case
        CALLS.append(1)
        _check(case.call(headers=headers))

    run()


def _check(response) -> None:  # noqa: ANN001 - schemathesis' Response
    assert response.status_code < 500, (response.request.method, response.request.url, response.text[:500])
    if response.status_code >= 400 and response.status_code != 405:
        error = json.loads(response.content)["error"]
        assert error["code"] and error["message"], response.text


@pytest.fixture
def keep_connection():
    """The WSGI app closes the database connection after each request (request_finished), which in a
    test would close the test's transaction: the Django test client keeps it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_fuzzing_the_schema_finds_no_server_error(world, things, token_for, keep_connection):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    real = {
        "area_id": str(world.c1.public_id),
        "org_id": str(world.cc1.public_id),
        "member_id": str(things.member.public_id),
        "unit_id": str(world.unit.public_id),
        "case_id": str(things.case.public_id),
        "demand_id": str(things.demand.public_id),
        "center_id": str(things.net.c1.public_id),
        "booking_id": str(things.booking.public_id),
        "room_id": str(things.net.meeting.public_id),
    }
    tokens = [token_for(world.users.community_worker), token_for(world.users.resident)]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20  # every router is in the document
    CALLS.clear()
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        passes = [None, {k: v for k, v in real.items() if k in names}] if names else [None]
        for token in tokens:
            for path_parameters in passes:
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    strategy = operation.as_strategy(mode, path_parameters=path_parameters or None)
                    _fuzz(strategy, {"Authorization": f"Bearer {token}"})
    assert len(CALLS) > 10 * len(operations)  # the fuzzing really ran
