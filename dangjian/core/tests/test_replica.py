"""Read replicas (dangjian.core.db): replica-safe reads go to the replica; writes, reads inside a
transaction and reads after a write go to the primary; without replicas nothing changes.

On PostgreSQL a real second database stands in for the replica: the `replica` fixture copies the
test database (CREATE DATABASE … TEMPLATE, so it has the schema and the world's rows, as a streaming
replica would), registers it as `replica1` and installs the router. The tests then write rows into
one database only, so which database answered a read is plain from the rows it returns.
"""

from __future__ import annotations

import io
import os

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.core import db as replica_db
from dangjian.core.db import ROUTER, ReplicaRouter, reading_alias, replica_reads, replica_settings
from dangjian.units.models import ResidentUnit

ALIAS = "replica1"
ONLY_ON_REPLICA = "只在从库的单位"
ONLY_ON_PRIMARY = "只在主库的单位"

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="a second PostgreSQL database")
with_replica = pytest.mark.django_db(transaction=True, databases=["default", ALIAS])


@pytest.fixture
def replica(transactional_db, world, settings):
    """`replica1` (the alias dangjian/conftest.py adds as a mirror of `default`) pointed at a copy of
    the test database taken after the world was built, with the router installed."""
    primary_name = connection.settings_dict["NAME"]
    name = f"{primary_name}_replica"
    connection.close()  # TEMPLATE needs the source database without sessions
    with connection._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [primary_name],
        )
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{primary_name}"')
    replica_connection = connections[ALIAS]
    replica_connection.close()
    mirrored_name = replica_connection.settings_dict["NAME"]
    replica_connection.settings_dict["NAME"] = name
    settings.DATABASE_ROUTERS = [ROUTER]
    try:
        yield ALIAS
    finally:
        replica_connection.close()
        replica_connection.settings_dict["NAME"] = mirrored_name
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _names(alias: str | None = None) -> set[str]:
    qs = ResidentUnit.objects.all() if alias is None else ResidentUnit.objects.using(alias)
    return set(qs.filter(name__in=[ONLY_ON_REPLICA, ONLY_ON_PRIMARY, "新写入的单位"]).values_list("name", flat=True))


def _plant(world, replica):
    """One unit only on the replica, one only on the primary."""
    ResidentUnit.objects.using(replica).create(name=ONLY_ON_REPLICA, kind="agency", community_id=world.c1.pk)
    ResidentUnit.objects.create(name=ONLY_ON_PRIMARY, kind="agency", community_id=world.c1.pk)


@postgres_only
@with_replica
def test_replica_safe_reads_come_from_the_replica_and_others_from_the_primary(replica, world):
    _plant(world, replica)
    assert _names() == {ONLY_ON_PRIMARY}  # not marked replica-safe: the primary
    with replica_reads():
        assert reading_alias() == replica
        assert _names() == {ONLY_ON_REPLICA}
        with replica_reads():  # nested blocks share the outer one
            assert ResidentUnit.objects.filter(name=ONLY_ON_REPLICA).exists()
    assert _names() == {ONLY_ON_PRIMARY}


@postgres_only
@with_replica
def test_reads_inside_a_transaction_go_to_the_primary(replica, world):
    _plant(world, replica)
    with replica_reads(), transaction.atomic():
        assert reading_alias() == "default"
        assert _names() == {ONLY_ON_PRIMARY}
        unit = ResidentUnit.objects.select_for_update().get(name=ONLY_ON_PRIMARY)
        assert unit._state.db == "default"


@postgres_only
@with_replica
def test_writes_go_to_the_primary_and_pin_the_rest_of_the_block(replica, world):
    _plant(world, replica)
    with replica_reads():
        assert _names() == {ONLY_ON_REPLICA}
        unit = ResidentUnit.objects.create(name="新写入的单位", kind="agency", community_id=world.c1.pk)
        assert unit._state.db == "default"
        # After the write every read of the block is the primary's, so it sees the write.
        assert reading_alias() == "default"
        assert _names() == {ONLY_ON_PRIMARY, "新写入的单位"}
    with replica_reads():  # a new block (the next request) reads the replica again
        assert _names() == {ONLY_ON_REPLICA}
        assert ResidentUnit.objects.filter(name=ONLY_ON_REPLICA).update(staff_count=7) == 0  # primary
    assert "新写入的单位" not in _names(replica)
    assert not ResidentUnit.objects.using(replica).filter(staff_count=7).exists()


@postgres_only
@with_replica
def test_an_export_reads_the_replica_and_audits_on_the_primary(replica, world, login):
    _plant(world, replica)
    before = (AuditEvent.objects.using("default").count(), AuditEvent.objects.using(replica).count())
    response = login(world.users.district_admin).get(reverse("imports:export_units"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert ONLY_ON_REPLICA in names
    assert ONLY_ON_PRIMARY not in names
    assert world.unit.name in names
    after = (AuditEvent.objects.using("default").count(), AuditEvent.objects.using(replica).count())
    assert after == (before[0] + 1, before[1])  # the export's audit row is written to the primary


def test_without_replicas_nothing_changes(world, settings, login):
    if not os.environ.get("DATABASE_REPLICA_URLS"):
        assert settings.DATABASE_ROUTERS == []  # no replicas configured: no router at all
    with replica_reads():
        assert ResidentUnit.objects.get(pk=world.unit.pk)._state.db == "default"
    response = login(world.users.district_admin).get(reverse("imports:export_units"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert world.unit.name in {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}


@pytest.mark.skipif(ALIAS in connections.settings, reason="runs where no replica alias exists (SQLite)")
def test_the_router_without_replica_aliases_reads_the_primary(world, settings):
    settings.DATABASE_ROUTERS = [ROUTER]
    assert replica_db.replica_aliases() == []
    with replica_reads():
        assert reading_alias() == "default"
        assert ResidentUnit.objects.get(pk=world.unit.pk)._state.db == "default"


def test_replica_urls_become_replica_aliases_mirroring_the_primary_in_tests():
    primary = {"ENGINE": "django.db.backends.postgresql", "CONN_MAX_AGE": 60}
    entries = replica_settings("postgres://u@r1:5432/dj, postgres://u@r2:5432/dj,", primary)
    assert list(entries) == ["replica1", "replica2"]
    assert entries["replica2"]["HOST"] == "r2"
    assert entries["replica1"]["CONN_MAX_AGE"] == 60
    assert entries["replica1"]["TEST"] == {"MIRROR": "default"}
    assert replica_settings(" ", primary) == {}
    with pytest.raises(ValueError):
        replica_settings("sqlite:///x.sqlite3", primary)


def test_the_router_never_migrates_a_replica():
    router = ReplicaRouter()
    assert router.allow_migrate("replica1", "cases") is False
    assert router.allow_migrate("default", "cases") is True
    assert router.db_for_write(ResidentUnit) == "default"
