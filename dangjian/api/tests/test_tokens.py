"""Tokens: issued by the command (the token is its last line) or on the page (shown once), acting in
the chosen role, used at most one write a minute, revoked with a confirmation, audited both ways."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts import services as account_services
from dangjian.api.models import ApiToken
from dangjian.api.services import hash_secret, token_issue
from dangjian.audit.models import Action, AuditEvent
from dangjian.core.testing import integrity_findings

from .conftest import body


def test_the_command_prints_the_token_as_its_last_line(world, api):
    out = StringIO()
    call_command("api_token", "sq1", "--name", "12345 热线", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    row = ApiToken.objects.get()
    assert row.secret_hash == hash_secret(token) and token.startswith(row.prefix)
    assert row.name == "12345 热线" and row.role.role == "community_worker"
    assert token not in str(list(ApiToken.objects.values()))  # only its hash is stored
    assert api(token=token).get("/cases").status_code == 200
    with pytest.raises(CommandError):
        call_command("api_token", "nobody-at-all", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("api_token", "sq1", "--role", "resident", stdout=StringIO())


def test_a_token_acts_in_its_role_only(world, api):
    u = world.users
    account_services.role_assign(actor=None, user=u.resident, role="community_worker", area=world.c3)
    as_resident = api(u.resident, role="resident")
    as_worker = api(u.resident, role="community_worker")
    assert as_resident.get("/cases").status_code == 404  # a resident has no desk
    assert as_worker.get("/cases").status_code == 200
    assert as_worker.get(f"/areas/{world.c3.public_id}").status_code == 200
    assert as_worker.get(f"/areas/{world.c1.public_id}").status_code == 404


def test_last_used_is_written_at_most_once_a_minute(world, api, token_for, django_assert_num_queries):
    token = token_for(world.users.community_worker)
    caller = api(token=token)
    caller.get("/areas")
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    caller.get("/areas")
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=timezone.now() - datetime.timedelta(minutes=2))
    caller.get("/areas")
    assert ApiToken.objects.get().last_used_at > first


def test_issue_and_revoke_are_audited(world, token_for):
    worker = world.users.community_worker
    token_for(worker)
    row = ApiToken.objects.get()
    issued = AuditEvent.objects.get(action=Action.CREATE, object_id=str(row.public_id))
    assert issued.actor == worker and issued.changes["token"] == row.prefix
    assert "dj_" in row.prefix and "secret" not in str(issued.changes)


def test_the_token_page_issues_once_and_revokes_with_a_confirmation(world, login, api):
    worker = world.users.community_worker
    client = login(worker)
    page = client.get(reverse("api_tokens"))
    assert page.status_code == 200 and "签发新令牌" in page.content.decode()
    role = worker.role_assignments.get()
    answer = client.post(reverse("api_tokens"), {"name": "网格平台", "role": role.pk}).content.decode()
    row = ApiToken.objects.get()
    secret = answer.split('data-testid="token-secret"')[0].rsplit('value="', 1)[1].split('"', 1)[0]
    assert row.secret_hash == hash_secret(secret)
    assert secret not in client.get(reverse("api_tokens")).content.decode()  # shown once
    assert api(token=secret).get("/cases").status_code == 200
    revoke = reverse("api_token_revoke", args=[row.public_id])
    assert "确定作废" in client.get(revoke).content.decode()
    assert ApiToken.objects.get().revoked_at is None  # asking is not revoking
    assert client.post(revoke)["Location"] == reverse("api_tokens")
    assert ApiToken.objects.get().revoked_at is not None
    assert AuditEvent.objects.filter(action=Action.DELETE, object_id=str(row.public_id)).count() == 1
    assert api(token=secret).get("/cases").status_code == 401
    client.post(revoke)  # twice: nothing more
    assert AuditEvent.objects.filter(action=Action.DELETE, object_id=str(row.public_id)).count() == 1


def test_one_cannot_issue_for_a_role_one_does_not_hold(world, login):
    client = login(world.users.community_worker)
    other = world.users.community_worker_outsider.role_assignments.get()
    answer = client.post(reverse("api_tokens"), {"name": "越权", "role": other.pk})
    assert answer.status_code == 200 and "有效的选项" in answer.content.decode()
    assert not ApiToken.objects.exists()


def test_the_revoke_page_is_the_owners_only(world, login, token_for):
    owner = world.users.community_worker
    token_for(owner)
    row = ApiToken.objects.get()
    revoke = reverse("api_token_revoke", args=[row.public_id])
    assert login(owner).get(revoke).status_code == 200
    # A colleague in the same community, and anyone else, get 404: tokens are personal.
    for other in (world.users.community_worker_colleague, world.users.community_worker_outsider):
        assert login(other).get(revoke).status_code == 404
        assert login(other).post(revoke).status_code == 404
    assert ApiToken.objects.get().revoked_at is None
    assert (
        world.users.community_worker_colleague.username not in login(owner).get(reverse("api_tokens")).content.decode()
    )


def test_the_integrity_check_finds_a_token_acting_for_someone_else(world, token_for):
    token_for(world.users.community_worker)
    assert integrity_findings("api.tokens") == {}
    ApiToken.objects.update(role=world.users.community_worker_outsider.role_assignments.get())
    assert set(integrity_findings("api.tokens")) == {"foreign_role"}


def test_the_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    document = body(schema)
    assert document["openapi"].startswith("3.") and "/api/v1/cases/{case_id}/steps/{step}" in document["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and "swagger-ui-bundle.js" in docs.content.decode()
    assert "cdn" not in docs.content.decode().lower()
    unknown = client.get("/api/v1/nothing/here")
    assert unknown.status_code == 404 and body(unknown)["error"]["code"] == "not_found"


def test_issue_refuses_a_role_of_someone_else(world):
    from django.core.exceptions import ValidationError

    other = world.users.community_worker_outsider.role_assignments.get()
    with pytest.raises(ValidationError):
        token_issue(actor=world.users.community_worker, role=other, name="x")
