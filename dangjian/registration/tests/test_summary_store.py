"""registration_summary reads members due and done from the figures store: they equal the counts from
the rows (selectors.home_counts_from_rows, the queries it used before) after each decision."""

import pytest

from dangjian.registration import selectors, services
from dangjian.registration.workflow import Party


def _summary_counts(area):
    return {r.community.pk: (r.members_due, r.members_done) for r in selectors.registration_summary(area).rows}


def _nonzero(counts):
    return {pk: c for pk, c in counts.items() if any(c)}


@pytest.mark.django_db
def test_the_summary_members_equal_the_rows_after_each_decision(reg_world, submit):
    w = reg_world
    reg = submit(w.people.zhang)
    services.registration_confirm(actor=w.users.community_worker, registration=reg)
    for area in (w.district, w.s1, w.c1):
        assert _nonzero(_summary_counts(area)) == selectors.home_counts_from_rows(area)
    assert _summary_counts(w.c1)[w.c1.pk] == (3, 1)
    w.people.zhang.status = "retired"
    w.people.zhang.save()
    assert _nonzero(_summary_counts(w.district)) == selectors.home_counts_from_rows(w.district)
    assert _summary_counts(w.c1)[w.c1.pk] == (2, 0)
    services.registration_withdraw(actor=None, registration=reg, party=Party.REGISTRANT)
    assert _nonzero(_summary_counts(w.district)) == selectors.home_counts_from_rows(w.district)
