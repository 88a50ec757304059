"""Versioned duty lists: a draft copies the version in force, the diff and sizes are computed from the
versions, putting a draft in force supersedes the one before it, and the kinds' rule holds."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dangjian.core.figures import facts
from dangjian.core.periods import Period
from dangjian.duties import selectors
from dangjian.duties.facts import VERSIONS
from dangjian.duties.models import DutyListVersion, ListKind, VersionStatus
from dangjian.duties.services import lists

D = datetime.date


def test_a_draft_copies_the_version_in_force_and_the_diff_counts_what_changed(world, community_list, kinds):
    u = world.users
    draft = lists.draft_create(actor=u.district_admin, duty_list=community_list)
    v1 = community_list.versions.get(number=1)
    assert draft.number == 2 and draft.based_on == v1 and draft.entry_count == 3
    assert {e.key for e in draft.entries.all()} == {e.key for e in v1.entries.all()}
    lists.entry_delete(actor=u.district_admin, entry=draft.entries.get(name="占道经营执法检查"))
    lists.entry_save(
        actor=u.district_admin, version=draft, data={"name": "接诉即办首问负责", "kind": kinds["governance"]}
    )
    old = draft.entries.get(name="居家养老服务")
    lists.entry_save(
        actor=u.district_admin,
        version=draft,
        entry=old,
        data={"name": "居家养老和助餐服务", "kind": old.kind, "lead_text": "社区居委会"},
    )
    draft.refresh_from_db()
    change = selectors.diff(v1, draft)
    assert [e.name for e in change.added] == ["接诉即办首问负责"]
    assert [e.name for e in change.removed] == ["占道经营执法检查"]
    assert [(n.name, what) for _o, n, what in change.changed] == [("居家养老和助餐服务", ["事项名称", "责任主体"])]
    assert (v1.entry_count, draft.entry_count) == (3, 3)
    assert (v1.not_for_community, draft.not_for_community) == (1, 0)


def test_putting_a_draft_in_force_supersedes_the_one_before_and_the_facts_follow(world, community_list, kinds):
    u = world.users
    draft = lists.draft_create(actor=u.district_admin, duty_list=community_list)
    lists.entry_delete(actor=u.district_admin, entry=draft.entries.get(name="占道经营执法检查"))
    with pytest.raises(ValidationError):  # a subdistrict admin keeps drafts but the district approves
        lists.version_enact(actor=u.subdistrict_admin, list_version=draft, effective_on=D(2020, 3, 1), basis="x")
    lists.version_enact(
        actor=u.district_admin, list_version=draft, effective_on=D(2020, 3, 1), basis="区委办〔2020〕12号"
    )
    statuses = dict(community_list.versions.values_list("number", "status"))
    assert statuses == {1: VersionStatus.SUPERSEDED, 2: VersionStatus.IN_FORCE}
    draft.refresh_from_db()
    assert draft.approved_by == u.district_admin and draft.effective_on == D(2020, 3, 1)
    assert community_list.versions.get(number=1).superseded_on == D(2020, 3, 1)
    period = Period("all", D(2000, 1, 1), D(2100, 1, 1))
    m = facts.by_dim(VERSIONS, world.district.path, period, "kind")[ListKind.COMMUNITY_WORK]
    assert (m["versions"], m["in_force"], m["entries_in_force"], m["entries"]) == (2, 1, 2, 5)


def test_one_version_in_force_is_a_constraint(world, community_list):
    v1 = community_list.versions.get(number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyListVersion.objects.create(
            duty_list=community_list, number=9, status=VersionStatus.IN_FORCE, effective_on=D(2021, 1, 1)
        )
    assert v1.status == VersionStatus.IN_FORCE


def test_a_version_in_force_is_not_edited_and_the_kind_rule_holds(world, community_list, kinds):
    u = world.users
    v1 = community_list.versions.get(number=1)
    with pytest.raises(ValidationError, match="只有草案可以修改"):
        lists.entry_save(actor=u.district_admin, version=v1, data={"name": "新事项", "kind": kinds["service"]})
    draft = lists.draft_create(actor=u.district_admin, duty_list=community_list)
    with pytest.raises(ValidationError, match="「拆迁拆违」类事项不得以社区作为责任主体"):
        lists.entry_save(
            actor=u.district_admin,
            version=draft,
            data={"name": "违建拆除", "kind": kinds["demolition"], "community_may_be_responsible": True},
        )
    made = lists.entry_save(
        actor=u.district_admin, version=draft, data={"name": "违建拆除", "kind": kinds["demolition"]}
    )
    assert made.community_may_be_responsible is False  # the kind's default
    with pytest.raises(ValidationError, match="已有草案"):
        lists.draft_create(actor=u.district_admin, duty_list=community_list)


def test_lists_are_kept_only_by_admins_above_the_owner(world, kinds):
    u = world.users
    with pytest.raises(ValidationError):
        lists.list_create(actor=u.subdistrict_admin_outsider, owner=world.s1, kind=ListKind.SUBDISTRICT_DUTIES)
    with pytest.raises(ValidationError, match="不能设在"):
        lists.list_create(actor=u.district_admin, owner=world.c1, kind=ListKind.SUBDISTRICT_DUTIES)
    made = lists.list_create(actor=u.subdistrict_admin, owner=world.s1, kind=ListKind.SUBDISTRICT_DUTIES)
    assert made.name == "拱北街道权责清单" and made.versions.get().status == VersionStatus.DRAFT
