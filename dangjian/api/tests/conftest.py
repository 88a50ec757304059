"""A token per user and a client that sends it."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from dangjian.accounts.models import RoleAssignment
from dangjian.api.services import token_issue


@pytest.fixture
def token_for():
    def issue(user, role: str | None = None) -> str:
        assignment = None
        if role:
            assignment = RoleAssignment.objects.get(user=user, role=role, is_active=True)
        return token_issue(actor=user, role=assignment, name="测试")[1]

    return issue


@pytest.fixture
def api(client, token_for):
    """api(user).get(path) / .post(path, data): JSON requests to /api/v1/ with the user's token."""

    class Caller:
        def __init__(self, token: str | None) -> None:
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

        def get(self, path: str, params: dict | None = None):
            return client.get(f"/api/v1{path}", params or {}, **self.headers)

        def post(self, path: str, data: dict | None = None, **headers):
            return client.post(
                f"/api/v1{path}",
                json.dumps(data or {}),
                content_type="application/json",
                **self.headers,
                **headers,
            )

    def make(user=None, *, token: str | None = None, role: str | None = None) -> Caller:
        return Caller(token if token is not None else (token_for(user, role) if user is not None else None))

    return make


def body(response) -> dict:
    return json.loads(response.content)


__all__ = ["body", "SimpleNamespace"]


# The centres' and the people's own fixtures, reused here.
from dangjian.centers.tests.conftest import net, next_weekday  # noqa: E402,F401
from dangjian.notices.tests.conftest import draft, members, published  # noqa: E402,F401
from dangjian.people.tests.conftest import people  # noqa: E402,F401


@pytest.fixture
def things(world, people, net, members, published):  # noqa: F811 - the imported fixtures
    """One object of every kind the API serves, in 婆石社区 (c1) of 拱北街道 (s1)."""
    from dangjian.cases.tests.test_workflow import submit as case_submit
    from dangjian.centers.services import bookings
    from dangjian.centers.tests.conftest import at
    from dangjian.demands.tests.test_workflow import submit as demand_submit

    day = next_weekday(1)
    booking = bookings.booking_create(
        actor=world.users.resident,
        room=net.meeting,
        start=at(day, 9),
        end=at(day, 10),
        purpose="楼栋议事会",
        attendees=8,
    )
    from dangjian.notifications.models import Message
    from dangjian.notifications.services import notify

    notify(recipients=[world.users.community_worker], event="cases.case.dispatch", title="有新派单", object_key="t")
    return SimpleNamespace(
        message=Message.objects.get(recipient=world.users.community_worker),
        notice=published,
        members=members,
        case=case_submit(world, reporter_phone="13812345678"),
        demand=demand_submit(world, requester_phone="13912340000"),
        member=people.own,
        booking=booking,
        net=net,
        people=people,
        assessment=assessment_things(world, members),
    )


def assessment_things(world, members):  # noqa: F811 - the imported fixture's value, passed in
    """This year's 责任清单 scheme with 婆石社区大党委's sheet (its secretary: the first member of 婆石社区)
    and the 街长评议 with 拱北街道's stationed police station's sheet."""
    import datetime

    from django.utils import timezone

    from dangjian.assessment.models import SchemeKind
    from dangjian.assessment.services import schemes
    from dangjian.orgs.models import OfficerPost, OrgOfficer
    from dangjian.units.models import Department

    district, year = world.users.district_admin, timezone.localdate().year
    secretary = members.c1[0]
    OrgOfficer.objects.create(org=world.cc1, user=secretary, name=secretary.username, post=OfficerPost.SECRETARY,
                              started_on=datetime.date(year, 1, 1))  # fmt: skip
    scheme = schemes.scheme_create(actor=district, district=world.district, year=year, kind=SchemeKind.RESPONSIBILITY)
    schemes.sheets_open(actor=district, scheme=scheme)
    police = Department.objects.create(name="拱北派出所", kind="police", area=world.s1)
    appraisal = schemes.scheme_create(actor=district, district=world.district, year=year, kind=SchemeKind.DEPARTMENT)
    schemes.sheets_open(actor=district, scheme=appraisal)
    return SimpleNamespace(
        secretary=secretary,
        scheme=scheme,
        sheet=scheme.sheets.get(org=world.cc1),
        department_sheet=appraisal.sheets.get(department=police),
    )
