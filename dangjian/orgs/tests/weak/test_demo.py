"""The demo district's weak-organization cases (dangjian.demo.orgs)."""

import pytest
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.orgs import todo
from dangjian.orgs.models import WeakCaseStatus, WeakOrgCase
from dangjian.orgs.weak import selectors

S = WeakCaseStatus


@pytest.fixture
def built(demo):
    return demo


def test_the_demo_has_a_case_in_each_state_dated_around_today(built):
    today = timezone.localdate()
    cases = {c.status: c for c in WeakOrgCase.objects.select_related("org", "delisted_by")}
    assert set(cases) == set(S)
    delisted = cases[S.DELISTED]
    assert delisted.delisted_by.username == "qu_admin" and delisted.delisting_note
    assert timezone.localtime(delisted.delisted_at).year == today.year - 1
    assert timezone.localtime(cases[S.FLAGGED].flagged_at).date() == today - timezone.timedelta(days=2)
    assert cases[S.RECTIFYING].org.area.name == "婆石社区"


def test_the_demo_community_worker_has_an_overdue_and_an_upcoming_step_in_todo(built):
    worker = User.objects.get(username="sq_worker")
    items = todo.weak_org_todos(worker)
    assert [i.urgent for i in items] == [True, False]
    assert "整改措施已超期 3 天" in items[0].title and "5 天后到期" in items[1].title
    admin = User.objects.get(username="qu_admin")
    titles = [i.title for i in todo.weak_org_todos(admin)]
    assert "软弱涣散组织摘帽申请待审批" in titles and "新列入的软弱涣散组织待制定整改方案" in titles
    assert selectors.figures(admin, timezone.localdate())["overdue_steps"] == 1
