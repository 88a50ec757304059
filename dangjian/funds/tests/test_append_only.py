"""Ledger rows are never edited or deleted: the models refuse it, and on PostgreSQL the database too
(the trigger of migration 0002)."""

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from dangjian.funds.models import Entry, Journal

pytestmark = pytest.mark.django_db
guard = importlib.import_module("dangjian.funds.migrations.0002_append_only_guard")


def test_the_orm_refuses_edits_and_deletes(funded):
    journal = Journal.objects.first()
    with pytest.raises(ValidationError):
        journal.save()
    with pytest.raises(ValidationError):
        Journal.objects.filter(pk=journal.pk).update(memo="x")
    with pytest.raises(ValidationError):
        Entry.objects.filter(journal=journal).delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_a_raw_update(funded):
    with connection.schema_editor() as editor:  # the test database may be built without migrations
        guard.forwards(None, editor)
    journal = Journal.objects.first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE funds_journal SET memo = 'x' WHERE id = %s", [journal.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM funds_entry WHERE journal_id = %s", [journal.pk])
