"""Duty lists and their versions: a list with its first draft, a new draft as a copy of the version in
force, entries of a draft, and putting a draft in force (the one before it superseded in the same step)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.models import Action
from dangjian.audit.services import audit_record
from dangjian.core.figures import facts
from dangjian.core.scoping import acting_user
from dangjian.core.workflow import take_step
from dangjian.territory.models import Area

from ..models import KIND_LEVELS, DutyKind, DutyList, DutyListEntry, DutyListVersion, ListKind, VersionStatus
from ..permissions import keeps_list
from ..workflow import CREATE, VERSION_FLOW, VersionStep

ENTRY_FIELDS = ("name", "kind", "lead_text", "lead_department", "community_may_be_responsible", "legal_basis", "sort")


def _require_keeper(actor: Any, path: str) -> None:
    if not keeps_list(actor, path):
        raise ValidationError(_("只有区级管理员或本街道管理员可以维护该清单。"))


@transaction.atomic
def list_create(*, actor: Any, owner: Area, kind: str, name: str = "") -> DutyList:
    """A list of a node with its first (empty) draft."""
    _require_keeper(actor, owner.path)
    if owner.level not in KIND_LEVELS.get(ListKind(kind), ()):
        raise ValidationError(
            {"kind": _("%(k)s不能设在%(l)s一级。") % {"k": ListKind(kind).label, "l": owner.get_level_display()}}
        )
    if DutyList.objects.filter(owner=owner, kind=kind).exists():
        raise ValidationError({"kind": _("%(o)s已有%(k)s。") % {"o": owner.name, "k": ListKind(kind).label}})
    label = ListKind(kind).label
    if kind == ListKind.COMMUNITY_WORK and owner.level == "district":
        default = _("%(o)s社区工作事项清单（各社区通用）") % {"o": owner.name}
    else:  # 拱北街道权责清单, 婆石社区工作事项清单: the level is not written twice
        default = owner.name + str(label).removeprefix(str(owner.get_level_display()))
    duty_list = DutyList.objects.create(owner=owner, kind=kind, name=(name or default)[:80])
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=duty_list,
        changes={"name": [None, duty_list.name]},
        area_path=duty_list.area_path,
    )
    _new_version(actor, duty_list, number=1, based_on=None)
    return duty_list


def _new_version(actor: Any, duty_list: DutyList, *, number: int, based_on: DutyListVersion | None) -> DutyListVersion:
    draft = DutyListVersion.objects.create(
        duty_list=duty_list, area_path=duty_list.area_path, number=number, based_on=based_on
    )
    note = _("以第%(n)s版为基础") % {"n": based_on.number} if based_on else ""
    VERSION_FLOW.log(draft, actor=actor, step=CREATE, from_status="", to_status=draft.status, note=note)
    return draft


@transaction.atomic
def draft_create(*, actor: Any, duty_list: DutyList) -> DutyListVersion:
    """A new draft: a copy of the version in force (every entry with its key, so the diff follows it)."""
    _require_keeper(actor, duty_list.area_path)
    DutyList.objects.select_for_update().get(pk=duty_list.pk)
    if duty_list.versions.filter(status=VersionStatus.DRAFT).exists():
        raise ValidationError(_("该清单已有草案，请先修改或批准现有草案。"))
    current = duty_list.versions.filter(status=VersionStatus.IN_FORCE).first()
    number = (duty_list.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = _new_version(actor, duty_list, number=number, based_on=current)
    if current is not None:
        DutyListEntry.objects.bulk_create(
            DutyListEntry(list_version=draft, key=e.key, **{f: getattr(e, f) for f in ENTRY_FIELDS})
            for e in current.entries.all()
        )
        _recount(draft)
    return draft


def _recount(version: DutyListVersion) -> None:
    counts = version.entries.aggregate(n=Count("pk"), off=Count("pk", filter=Q(community_may_be_responsible=False)))
    DutyListVersion.objects.filter(pk=version.pk).update(entry_count=counts["n"], not_for_community=counts["off"])
    version.entry_count, version.not_for_community = counts["n"], counts["off"]
    from ..facts import VERSIONS

    facts.record(VERSIONS, version)


def _locked_draft(actor: Any, version: DutyListVersion) -> DutyListVersion:
    locked = DutyListVersion.objects.select_for_update().select_related("duty_list").get(pk=version.pk)
    _require_keeper(actor, locked.area_path)
    if locked.status != VersionStatus.DRAFT:
        raise ValidationError(_("只有草案可以修改；现行和已废止的版本不能改动。"))
    return locked


def entry_clean(data: dict[str, Any]) -> dict[str, Any]:
    """The entry's fields, the kind's rule applied: an item of a kind communities may not be responsible
    for (行政执法、拆迁拆违、环境整治) never has a community as its responsible party."""
    kind: DutyKind = data["kind"]
    clean = {f: data.get(f) for f in ENTRY_FIELDS if f in data}
    clean["name"] = (data.get("name") or "").strip()
    if not clean["name"]:
        raise ValidationError({"name": _("请填写事项名称。")})
    clean["lead_text"] = (data.get("lead_text") or "").strip()
    clean["legal_basis"] = (data.get("legal_basis") or "").strip()
    flag = data.get("community_may_be_responsible")
    if flag is None:
        flag = kind.community_may_be_responsible
    if flag and not kind.community_may_be_responsible:
        raise ValidationError(
            {"community_may_be_responsible": _("「%(k)s」类事项不得以社区作为责任主体。") % {"k": kind.name}}
        )
    clean["community_may_be_responsible"] = bool(flag)
    return clean


@transaction.atomic
def entry_save(
    *, actor: Any, version: DutyListVersion, data: dict[str, Any], entry: DutyListEntry | None = None
) -> DutyListEntry:
    locked = _locked_draft(actor, version)
    clean = entry_clean(data)
    if entry is None:
        if clean.get("sort") is None:
            clean["sort"] = (locked.entries.aggregate(n=Max("sort"))["n"] or 0) + 1
        entry = DutyListEntry.objects.create(list_version=locked, **clean)
    else:
        if entry.list_version_id != locked.pk:
            raise ValidationError(_("该事项不属于这份草案。"))
        for name, value in clean.items():
            if value is not None or name == "lead_department":
                setattr(entry, name, value)
        entry.save()
    _recount(locked)
    return entry


@transaction.atomic
def entry_delete(*, actor: Any, entry: DutyListEntry) -> None:
    locked = _locked_draft(actor, entry.list_version)
    entry.delete()
    _recount(locked)


@transaction.atomic
def entries_import(
    *, actor: Any, version: DutyListVersion, rows: list[dict[str, Any]], writer: Any = None
) -> list[DutyListEntry]:
    """Entries appended to a draft in one go (the importer's write, named in its audit row): all or nothing."""
    locked = _locked_draft(actor, version)
    start = locked.entries.aggregate(n=Max("sort"))["n"] or 0
    made = DutyListEntry.objects.bulk_create(
        DutyListEntry(list_version=locked, **{**entry_clean(row), "sort": start + i})
        for i, row in enumerate(rows, start=1)
    )
    _recount(locked)
    if writer is not None:
        writer.audit((e, e.name, {"name": [None, e.name]}, locked.area_path) for e in made)
    return made


def version_enact(
    *,
    actor: Any,
    list_version: DutyListVersion,
    effective_on: datetime.date,
    basis: str,
    note: str = "",
    version: int | None = None,
) -> DutyListVersion:
    """The district approves a draft: it is in force from `effective_on`; the version in force before it
    is superseded in the same transaction (one in force per list: a constraint)."""
    basis = (basis or "").strip()
    if not basis:
        raise ValidationError({"basis": _("请填写批准依据（文件名称或会议）。")})
    if effective_on is None:
        raise ValidationError({"effective_on": _("请填写生效日期。")})

    def prepare(locked: DutyListVersion, parties: set[str]) -> dict[str, Any]:
        DutyList.objects.select_for_update().get(pk=locked.duty_list_id)
        if locked.entry_count == 0:
            raise ValidationError(_("草案没有任何事项，不能施行。"))
        current = DutyListVersion.objects.filter(
            duty_list_id=locked.duty_list_id, status=VersionStatus.IN_FORCE
        ).first()
        if current is not None:
            if current.effective_on and effective_on < current.effective_on:
                raise ValidationError(
                    {
                        "effective_on": _("生效日期不能早于现行版本的生效日期（%(d)s）。")
                        % {"d": current.effective_on.isoformat()}
                    }
                )
            take_step(
                VERSION_FLOW,
                actor=None,
                obj=current,
                step=VersionStep.SUPERSEDE,
                note=_("第%(n)s版施行") % {"n": locked.number},
                fields={"superseded_on": effective_on},
            )
        return {
            "effective_on": effective_on,
            "basis": basis[:200],
            "approved_by": acting_user(actor),
            "approved_at": timezone.now(),
        }

    return take_step(
        VERSION_FLOW,
        actor=actor,
        obj=list_version,
        step=VersionStep.ENACT,
        version=version,
        note=note or basis,
        prepare=prepare,
    )
