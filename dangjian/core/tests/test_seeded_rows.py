"""Rows that data migrations seed survive transactional tests, threads and the browser's event loop
(see the `chromium` fixture: serialized rollback must still find its snapshot)."""

import threading

import pytest

from dangjian.cases.models import CaseCategory


@pytest.mark.django_db(transaction=True)
def test_it_keeps_seeded_rows_after_a_threaded_test():
    from django.db import connection

    def work():
        CaseCategory.objects.count()
        connection.close()

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert CaseCategory.objects.count() == 16


@pytest.mark.django_db(transaction=True)
def test_it_keeps_seeded_rows_once_the_browser_runs(world, new_browser):
    assert CaseCategory.objects.count() == 16
    b = new_browser("phone")
    b.go("/accounts/login/")
    assert CaseCategory.objects.count() == 16


@pytest.mark.django_db(transaction=True)
def test_it_keeps_seeded_rows_in_the_next_transactional_test(world):
    assert CaseCategory.objects.count() == 16
