"""Fixtures for the weak-organization tests: cases driven to any status through the services."""

import datetime

import pytest
from django.utils import timezone

from dangjian.orgs.models import WeakCaseStatus, WeakReason
from dangjian.orgs.weak import services

S = WeakCaseStatus


@pytest.fixture
def reasons(db):
    services.ensure_default_reasons()
    return {r.code: r for r in WeakReason.objects.all()}


@pytest.fixture
def make_case(world, reasons):
    """make_case(org, status) → a case of `org` brought to `status` by the district admin, with
    steps for the community worker of 婆石社区 (or the district admin, elsewhere), done once the
    case is past rectifying."""
    admin = world.users.district_admin

    def make(org=None, status=S.FLAGGED, *, steps=1, deadline=None, responsible=None):
        org = org or world.eb
        if responsible is None:
            in_c1 = org.area.path.startswith(world.c1.path)
            responsible = world.users.community_worker if in_c1 else admin
        case = services.weak_case_flag(actor=admin, org=org, reasons=[reasons["org_life_irregular"]])
        due = deadline or timezone.localdate() + datetime.timedelta(days=10)
        made = [
            services.weak_step_add(
                actor=admin, case=case, title=f"整改措施{n + 1}", deadline=due, responsible=responsible
            )
            for n in range(steps)
        ]
        if status == S.FLAGGED:
            return case
        services.weak_case_transition(actor=admin, case=case, action="approve_plan")
        if status == S.RECTIFYING:
            return refreshed(case)
        for step in made:
            services.weak_step_done(actor=admin, step=step, note="已完成")
        services.weak_case_transition(actor=admin, case=case, action="apply")
        if status == S.APPLIED:
            return refreshed(case)
        services.weak_case_transition(actor=admin, case=case, action="delist", note="同意摘帽")
        return refreshed(case)

    return make


def refreshed(case):
    case.refresh_from_db()
    return case
