import datetime

import pytest
from django.utils import timezone

from dangjian.duties.models import ListKind
from dangjian.duties.rules import ensure_kinds
from dangjian.duties.services import admission, lists, tasks


@pytest.fixture
def kinds(db):
    return ensure_kinds()


@pytest.fixture
def community_list(world, kinds):
    """The district's shared 社区工作事项清单, version 1 in force: two items communities may be responsible
    for and one they may not (行政执法)."""
    duty_list = lists.list_create(actor=None, owner=world.district, kind=ListKind.COMMUNITY_WORK)
    v1 = duty_list.versions.get()
    lists.entries_import(
        actor=None,
        version=v1,
        rows=[
            {"name": "社区党组织建设", "kind": kinds["party_building"]},
            {"name": "居家养老服务", "kind": kinds["service"]},
            {"name": "占道经营执法检查", "kind": kinds["enforcement"]},
        ],
    )
    lists.version_enact(actor=None, list_version=v1, effective_on=datetime.date(2019, 1, 1), basis="区委办〔2019〕3号")
    v1.refresh_from_db()
    return duty_list


def entry(duty_list, name):
    return duty_list.versions.get(status="in_force").entries.get(name=name)


@pytest.fixture
def admitted(world):
    req = admission.admission_submit(
        actor=world.users.department_staff,
        title="食品安全入户宣传",
        reason="季度宣传",
        money="20000.00",
        people=1,
        powers="线索转办",
    )
    return admission.admission_decide(
        actor=world.users.district_admin,
        request=req,
        step="admit",
        decided_on=timezone.localdate(),
        decision_body="joint_meeting",
        decision_basis="联席会议纪要第3号",
    )


FIELDS = [
    {"label": "入户户数", "kind": "number", "required": True},
    {"label": "宣传日期", "kind": "date", "required": True},
    {"label": "收集线索", "kind": "choice", "required": True, "choices": "有、无"},
    {"label": "情况说明", "kind": "text", "required": False},
]


@pytest.fixture
def make_task(world):
    def make(actor=None, communities=None, **kw):
        return tasks.task_create(
            actor=actor or world.users.department_staff,
            title=kw.pop("title", "入户宣传情况"),
            body="请填报",
            deadline=kw.pop("deadline", timezone.localdate() + datetime.timedelta(days=7)),
            communities=communities or [world.c1, world.c2, world.c3],
            fields=kw.pop("fields", FIELDS),
            **kw,
        )

    return make
