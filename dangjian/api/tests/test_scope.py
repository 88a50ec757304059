"""Every endpoint is scoped exactly like its page: the owner and a colleague in scope get the object,
an outsider gets 404 (a list: 200 without the row); no token, a bad token or a revoked one gets 401.
test_every_endpoint_is_in_the_matrix fails when an endpoint is added without its row here."""

from __future__ import annotations

import re
import uuid

import pytest

from dangjian.api.api import API
from dangjian.api.models import ApiToken
from dangjian.api.services import token_revoke

from .conftest import body


def detail_rows(w, t):
    """(method, path template, path, owner, colleague, outsider, body) of every endpoint on one object."""
    u = w.users
    cw, cwb, cwo = u.community_worker, u.community_worker_colleague, u.community_worker_outsider
    sd, sdb, sdo = u.subdistrict_admin, u.subdistrict_admin_colleague, u.subdistrict_admin_outsider
    case, demand, booking, c1 = t.case, t.demand, t.booking, t.net.c1
    (m0, m1, _m2), (m_c3,) = t.members.c1, t.members.c3
    a = t.assessment
    return [
        ("get", "/areas/{area_id}", f"/areas/{w.c1.public_id}", cw, cwb, cwo, None),
        ("get", "/areas/{area_id}/children", f"/areas/{w.s1.public_id}/children", sd, sdb, sdo, None),
        ("get", "/orgs/{org_id}", f"/orgs/{w.cc1.public_id}", cw, cwb, cwo, None),
        ("get", "/orgs/{org_id}/children", f"/orgs/{w.wc1.public_id}/children", sd, sdb, sdo, None),
        ("get", "/members/{member_id}", f"/members/{t.member.public_id}", cw, cwb, cwo, None),
        ("get", "/units/{unit_id}", f"/units/{w.unit.public_id}", cw, cwb, cwo, None),
        ("get", "/cases/{case_id}", f"/cases/{case.public_id}", cw, cwb, cwo, None),
        ("get", "/demands/{demand_id}", f"/demands/{demand.public_id}", cw, cwb, cwo, None),
        ("get", "/centers/{center_id}", f"/centers/{c1.public_id}", cw, cwb, cwo, None),
        ("get", "/bookings/{booking_id}", f"/bookings/{booking.public_id}", u.resident, cw, cwo, None),
        ("get", "/figures/{subject_name}", f"/figures/cases?node={w.c1.public_id}", cw, cwb, cwo, None),
        ("get", "/figures/{subject_name}", f"/figures/members?node={w.cc1.public_id}", cw, cwb, cwo, None),
        # Writes: the outsider is refused before anything is read or written (the owners' are below).
        ("post", "/cases/{case_id}/steps/{step}", f"/cases/{case.public_id}/steps/accept", None, None, cwo,
         {"version": case.version}),
        ("post", "/demands/{demand_id}/steps/{step}", f"/demands/{demand.public_id}/steps/accept", None, None, cwo,
         {"version": demand.version}),
        ("post", "/rooms/{room_id}/bookings", f"/rooms/{t.net.meeting.public_id}/bookings", None, None,
         u.community_worker_outsider, {"date": "2030-01-07", "start": "09:00", "end": "10:00", "purpose": "议事"}),
        ("post", "/bookings/{booking_id}/steps/{step}", f"/bookings/{booking.public_id}/steps/cancel", None, None,
         cwo, {}),
        # Personal: a message is its recipient's only, a received notice its recipients' only.
        ("post", "/messages/{message_id}/read", f"/messages/{t.message.public_id}/read", cw, None, cwb, None),
        ("get", "/notices/{notice_id}", f"/notices/{t.notice.public_id}", cw, cwb, cwo, None),
        ("get", "/notices-received/{notice_id}", f"/notices-received/{t.notice.public_id}", m0, m1, m_c3, None),
        ("post", "/notices-received/{notice_id}/sign", f"/notices-received/{t.notice.public_id}/sign", m0, m1,
         m_c3, None),
        # 考核评议: the scheme is the district's (a department reads it once its own sheet is published)
        ("get", "/assessment/schemes/{scheme_id}", f"/assessment/schemes/{a.scheme.public_id}", cw, sd,
         u.department_staff, None),
        ("get", "/assessment/schemes/{scheme_id}/sheets", f"/assessment/schemes/{a.scheme.public_id}/sheets", cw,
         sd, u.department_staff, None),
        ("get", "/assessment/sheets/{sheet_id}", f"/assessment/sheets/{a.sheet.public_id}", cw, a.secretary, cwo,
         None),
        ("post", "/assessment/sheets/{sheet_id}/panel-score", f"/assessment/sheets/{a.sheet.public_id}/panel-score",
         None, None, cwo, {"points": 80, "version": a.sheet.version}),
        ("post", "/assessment/sheets/{sheet_id}/chief-score",
         f"/assessment/sheets/{a.department_sheet.public_id}/chief-score", sd, sdb, sdo,
         {"points": 85, "note": "到场及时", "version": a.department_sheet.version}),
    ]  # fmt: skip


def list_rows(w, t):
    """(path, id that must be listed, owner, colleague, outsider): the outsider's list lacks the id."""
    u = w.users
    cw, cwb, cwo = u.community_worker, u.community_worker_colleague, u.community_worker_outsider
    return [
        ("/areas", w.s1.public_id, u.subdistrict_admin, u.subdistrict_admin_colleague, u.subdistrict_admin_outsider),
        ("/orgs", w.wc1.public_id, u.subdistrict_admin, u.subdistrict_admin_colleague, u.subdistrict_admin_outsider),
        ("/members", t.member.public_id, cw, cwb, cwo),
        ("/units", w.unit.public_id, cw, cwb, cwo),
        ("/cases", t.case.public_id, cw, cwb, cwo),
        ("/demands", t.demand.public_id, cw, cwb, cwo),
        ("/centers", t.net.c1.public_id, cw, cwb, cwo),
        ("/bookings", t.booking.public_id, u.resident, u.resident, u.member),
        ("/messages", t.message.public_id, cw, cw, cwb),
        ("/notices", t.notice.public_id, cw, cwb, cwo),
        ("/notices-received", t.notice.public_id, t.members.c1[0], t.members.c1[1], t.members.c3[0]),
        ("/assessment/schemes", t.assessment.scheme.public_id, cw, u.subdistrict_admin, u.department_staff),
        (
            "/assessment/my-sheets",
            t.assessment.sheet.public_id,
            t.assessment.secretary,
            t.assessment.secretary,
            t.members.c3[0],
        ),
    ]


# Endpoints whose rows are the same for everyone (the store's subjects), or that create (their scope
# is the room's, above, or the creator's own community, test_cases_api / test_demands_api).
UNSCOPED = {
    ("get", "/figures"),
    ("post", "/cases"),
    ("post", "/demands"),
    ("get", "/messages/unread"),  # the token's person's own, counted
    ("post", "/messages/read-all"),  # the token's person's own, marked
}


def _ids(payload) -> set[str]:
    items = payload["items"] if isinstance(payload, dict) else payload
    return {item["id"] for item in items}


def test_every_detail_is_the_owners_and_colleagues_and_404_to_an_outsider(world, things, api):
    for method, _template, path, owner, colleague, outsider, data in detail_rows(world, things):
        for user, expected in ((owner, 200), (colleague, 200), (outsider, 404)):
            if user is None:
                continue
            caller = api(user)
            response = caller.get(path) if method == "get" else caller.post(path, data)
            assert response.status_code == expected, (path, user.username, response.content)
            if expected == 404:
                assert body(response)["error"]["code"] == "not_found"
                assert "管辖范围" in body(response)["error"]["message"]


def test_every_list_shows_the_row_in_scope_only(world, things, api):
    for path, public_id, owner, colleague, outsider in list_rows(world, things):
        for user, listed in ((owner, True), (colleague, True), (outsider, False)):
            response = api(user).get(path)
            assert response.status_code == 200, (path, user.username, response.content)
            assert (str(public_id) in _ids(body(response))) is listed, (path, user.username)


def test_a_role_the_page_refuses_gets_404(world, things, api):
    u = world.users
    for path in ("/members", "/units", "/cases", "/demands", "/centers", "/areas", "/orgs"):
        response = api(u.resident).get(path)
        assert response.status_code == 404, path
    assert api(u.department_staff).get(f"/members/{things.member.public_id}").status_code == 404
    # A resident reads the case they filed on their own page, not through the desk's endpoint.
    assert api(u.resident).get(f"/cases/{things.case.public_id}").status_code == 404


def test_every_endpoint_is_in_the_matrix(world, things):
    covered = {(m, template) for m, template, *_ in detail_rows(world, things)} | UNSCOPED
    covered |= {("get", path) for path, *_ in list_rows(world, things)}
    documented = {
        (method.lower(), path.removeprefix("/api/v1"))
        for path, operations in API.get_openapi_schema()["paths"].items()
        for method in operations
    }
    assert documented - covered == set(), "endpoints without a scope row"


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: "cases" if m.group(0) == "{subject_name}" else str(uuid.uuid4()), path)


def test_every_endpoint_answers_401_without_a_valid_token(world, things, api, token_for):
    u = world.users
    revoked = token_for(u.community_worker)
    token_revoke(actor=u.community_worker, token=ApiToken.objects.get(user=u.community_worker), ip=None)
    callers = {"none": api(), "bad": api(token="dj_nothing_here"), "revoked": api(token=revoked)}
    for path, operations in API.get_openapi_schema()["paths"].items():
        for method in operations:
            for name, caller in callers.items():
                target = _concrete(path.removeprefix("/api/v1"))
                response = caller.get(target) if method == "get" else caller.post(target, {"version": 1})
                assert response.status_code == 401, (name, method, path, response.content)
                assert body(response)["error"]["code"] == "unauthenticated"
                assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("change", ["role_inactive", "user_inactive"])
def test_a_token_dies_with_its_role_or_user(world, api, token_for, change):
    u = world.users
    token = token_for(u.community_worker)
    assert api(token=token).get("/cases").status_code == 200
    if change == "role_inactive":
        u.community_worker.role_assignments.update(is_active=False)
    else:
        type(u.community_worker).objects.filter(pk=u.community_worker.pk).update(is_active=False)
    assert api(token=token).get("/cases").status_code == 401
