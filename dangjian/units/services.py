"""Writes to resident units, their formation, the coverage rules, adjunct members and alliances.

Every write is atomic and audited; messages say in Chinese what is wrong and where.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, reset_queries, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record, diff, snapshot
from dangjian.core.figures import facts
from dangjian.core.text import pinyin_initials
from dangjian.core.tree import ancestor_paths
from dangjian.core.validators import validate_credit_code
from dangjian.imports.engine import RecordChange, Writer
from dangjian.imports.resolvers import chunked
from dangjian.orgs.models import OrgType, PartyOrg
from dangjian.orgs.services import org_create
from dangjian.territory.models import Area, Level

from .models import (
    AdjunctMember,
    Alliance,
    AllianceMembership,
    CoverageRule,
    Department,
    ResidentUnit,
    UnitKindOption,
)
from .selectors import ESTATE_KINDS, JOINT_TYPES

UNIT_FIELDS = [
    "name",
    "kind",
    "credit_code",
    "community",
    "address",
    "lat",
    "lng",
    "staff_count",
    "member_count",
    "party_org",
    "instructor",
]
MAX_COUNT = 1_000_000
INSTRUCTOR_MAX_LENGTH = 50


def _clean_unit_fields(
    *, name: str, kind: str, community: Area, credit_code: str, staff_count: int, member_count: int
) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append(_("请填写单位名称。"))
    if not kind:
        errors.setdefault("kind", []).append(_("请选择单位类型。"))
    elif not UnitKindOption.for_district_path(community.path).filter(code=kind).exists():
        errors.setdefault("kind", []).append(_("「%(kind)s」不是本区可选的单位类型，请重新选择。") % {"kind": kind})
    if community.level != Level.COMMUNITY:
        errors.setdefault("community", []).append(
            _("所在社区应选择一个社区（当前选的是%(level)s）。") % {"level": community.get_level_display()}
        )
    code = (credit_code or "").strip().upper()
    if code:
        try:
            code = validate_credit_code(code)
        except ValidationError as exc:
            errors.setdefault("credit_code", []).extend(exc.messages)
    for field, value, label in (
        ("staff_count", staff_count, _("从业人员数")),
        ("member_count", member_count, _("党员人数")),
    ):
        if value is None or value < 0 or value > MAX_COUNT:
            errors.setdefault(field, []).append(_("%(label)s应为 0 到 100 万之间的整数。") % {"label": label})
    if staff_count is not None and member_count is not None and 0 < staff_count < member_count:
        errors.setdefault("member_count", []).append(
            _("党员人数（%(m)s）不能多于从业人员数（%(s)s）。") % {"m": member_count, "s": staff_count}
        )
    if errors:
        raise ValidationError(errors)
    return name, code


def _check_unique(*, unit_pk: int | None, name: str, community: Area, credit_code: str) -> None:
    others = ResidentUnit.objects.exclude(pk=unit_pk) if unit_pk else ResidentUnit.objects.all()
    errors = {}
    if credit_code and others.filter(credit_code=credit_code).exists():
        errors["credit_code"] = _("统一社会信用代码 %(code)s 已被其他单位登记，同一代码只能登记一个单位。") % {
            "code": credit_code
        }
    if others.filter(community=community, name=name).exists():
        errors["name"] = _("「%(community)s」已有名为「%(name)s」的单位。") % {"community": community, "name": name}
    if errors:
        raise ValidationError(errors)


def _save_unique(unit: ResidentUnit) -> None:
    """Save; a concurrent writer who took the same code or name first loses with the same message."""
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:
        _check_unique(unit_pk=unit.pk, name=unit.name, community=unit.community, credit_code=unit.credit_code)
        raise ValidationError(_("单位名称或统一社会信用代码与已有单位重复。")) from exc


@transaction.atomic
def unit_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    community: Area,
    credit_code: str = "",
    address: str = "",
    staff_count: int = 0,
    member_count: int = 0,
    lat: float | None = None,
    lng: float | None = None,
    instructor: str = "",
) -> ResidentUnit:
    name, code = _clean_unit_fields(
        name=name,
        kind=kind,
        community=community,
        credit_code=credit_code,
        staff_count=staff_count,
        member_count=member_count,
    )
    _check_unique(unit_pk=None, name=name, community=community, credit_code=code)
    unit = ResidentUnit(
        name=name,
        pinyin=pinyin_initials(name),
        kind=kind,
        community=community,
        credit_code=code,
        address=(address or "").strip(),
        staff_count=staff_count,
        member_count=member_count,
        lat=lat,
        lng=lng,
        instructor=(instructor or "").strip(),
    )
    _save_unique(unit)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=unit,
        changes=diff({}, snapshot(unit, UNIT_FIELDS)),
        area_path=community.path,
    )
    return unit


@transaction.atomic
def unit_update(
    *,
    actor: Any,
    unit: ResidentUnit,
    name: str,
    kind: str,
    community: Area,
    credit_code: str = "",
    address: str = "",
    staff_count: int = 0,
    member_count: int = 0,
) -> ResidentUnit:
    """Change a unit's basic facts. Its formation is changed with unit_set_formation."""
    unit = ResidentUnit.objects.select_for_update(of=("self",)).select_related("community", "party_org").get(pk=unit.pk)
    before = snapshot(unit, UNIT_FIELDS)
    name, code = _clean_unit_fields(
        name=name,
        kind=kind,
        community=community,
        credit_code=credit_code,
        staff_count=staff_count,
        member_count=member_count,
    )
    _check_unique(unit_pk=unit.pk, name=name, community=community, credit_code=code)
    org = unit.party_org
    if (
        community.pk != unit.community_id
        and org is not None
        and formation_error(unit=unit, org=org, community=community)
    ):
        raise ValidationError(
            {
                "community": _("本单位的党组织「%(org)s」不覆盖「%(c)s」，请先调整组建方式再迁移社区。")
                % {"org": org, "c": community}
            }
        )
    unit.name, unit.pinyin, unit.kind, unit.community, unit.credit_code = (
        name,
        pinyin_initials(name),
        kind,
        community,
        code,
    )
    unit.address, unit.staff_count, unit.member_count = (address or "").strip(), staff_count, member_count
    changes = diff(before, snapshot(unit, UNIT_FIELDS))
    if changes:
        _save_unique(unit)
        audit_record(actor=actor, action=Action.UPDATE, obj=unit, changes=changes, area_path=community.path)
    return unit


def formation_error(*, unit: ResidentUnit, org: PartyOrg, community: Area | None = None) -> str:
    """Why `org` cannot be the organization `unit` is organized into ('' when it can)."""
    community = community or unit.community
    if org.unit_id == unit.pk:
        return ""
    if org.unit_id is not None:
        return _("「%(org)s」是「%(unit)s」单独组建的党组织，不能作为本单位的党组织。") % {
            "org": org,
            "unit": org.unit,
        }
    covering = [*ancestor_paths(community.path), community.path]
    if org.org_type in JOINT_TYPES:
        if org.area.path not in covering:
            return _("联合党支部「%(org)s」的属地（%(area)s）不覆盖本单位所在的%(c)s。") % {
                "org": org,
                "area": org.area,
                "c": community,
            }
        return ""
    if org.org_type == OrgType.ESTATE_BRANCH and unit.kind in ESTATE_KINDS:
        if org.area_id != community.pk:
            return _("小区党支部「%(org)s」不在本单位所在的%(c)s。") % {"org": org, "c": community}
        return ""
    return _(
        "「%(org)s」（%(type)s）不能作为本单位的党组织：请选择本单位自己的党组织、覆盖本社区的联合党支部，"
        "或（业委会、物业服务企业）本社区的小区党支部。"
    ) % {"org": org, "type": org.get_org_type_display()}


@transaction.atomic
def unit_set_formation(
    *, actor: Any, unit: ResidentUnit, party_org: PartyOrg | None, instructor: str | None = None
) -> ResidentUnit:
    """Set the organization the unit is organized into (its own: single formation; a joint or estate
    branch: joint formation; None: not formed), and its Party-building instructor (工作覆盖)."""
    unit = ResidentUnit.objects.select_for_update(of=("self",)).select_related("community", "party_org").get(pk=unit.pk)
    before = snapshot(unit, ["party_org", "instructor"])
    if party_org is not None:
        party_org = PartyOrg.objects.select_related("area", "unit").get(pk=party_org.pk)
        error = formation_error(unit=unit, org=party_org)
        if error:
            raise ValidationError({"party_org": error})
    unit.party_org = party_org
    if instructor is not None:
        instructor = instructor.strip()
        if len(instructor) > INSTRUCTOR_MAX_LENGTH:
            raise ValidationError({"instructor": _("党建指导员姓名过长（最多 50 个字）。")})
        unit.instructor = instructor
    changes = diff(before, snapshot(unit, ["party_org", "instructor"]))
    if changes:
        unit.save(update_fields=["party_org", "instructor", "updated_at"])
        audit_record(actor=actor, action=Action.UPDATE, obj=unit, changes=changes, area_path=unit.community.path)
    return unit


@transaction.atomic
def unit_form_own_branch(
    *, actor: Any, unit: ResidentUnit, parent: PartyOrg, name: str = "", secretary: str = ""
) -> PartyOrg:
    """单独组建: create the unit's own branch under `parent` and organize the unit into it."""
    unit = ResidentUnit.objects.select_for_update(of=("self",)).select_related("community").get(pk=unit.pk)
    parent = PartyOrg.objects.select_related("area").get(pk=parent.pk)
    covering = [*ancestor_paths(unit.community.path), unit.community.path]
    if parent.area.path not in covering:
        raise ValidationError(
            {
                "parent": _("上级党组织「%(org)s」不覆盖本单位所在的%(c)s。")
                % {
                    "org": parent,
                    "c": unit.community,
                }
            }
        )
    branch = org_create(
        actor=actor,
        org_type=OrgType.BRANCH,
        name=(name or "").strip() or f"{unit.name}党支部",
        parent=parent,
        area=unit.community,
        unit=unit,
        secretary=secretary,
    )
    unit_set_formation(actor=actor, unit=unit, party_org=branch)
    return branch


# -- rules -------------------------------------------------------------------------------------------
RULE_LIMITS = {"min_members_for_single": (1, 50), "min_staff_social_org": (1, 10_000)}


@transaction.atomic
def coverage_rule_save(
    *, actor: Any, district: Area, min_members_for_single: int, min_staff_social_org: int
) -> CoverageRule:
    if district.level != Level.DISTRICT:
        raise ValidationError(_("组建覆盖规则按区设置。"))
    errors = {}
    labels = {
        "min_members_for_single": _("单独组建所需党员数"),
        "min_staff_social_org": _("应覆盖社会组织的从业人员数"),
    }
    values = {"min_members_for_single": min_members_for_single, "min_staff_social_org": min_staff_social_org}
    for field, value in values.items():
        lo, hi = RULE_LIMITS[field]
        if value is None or not lo <= value <= hi:
            errors[field] = _("%(label)s应在 %(lo)s 到 %(hi)s 之间。") % {"label": labels[field], "lo": lo, "hi": hi}
    if errors:
        raise ValidationError(errors)
    rule, created = CoverageRule.objects.select_for_update().get_or_create(district=district)
    before = {} if created else snapshot(rule, list(values))
    rule.min_members_for_single, rule.min_staff_social_org = min_members_for_single, min_staff_social_org
    changes = diff(before, snapshot(rule, list(values)))
    if changes or created:
        rule.save()
        audit_record(
            actor=actor,
            action=Action.CREATE if created else Action.UPDATE,
            obj=rule,
            changes=changes,
            area_path=district.path,
        )
    return rule


# -- adjunct members (兼职委员) -------------------------------------------------------------------------
# Expanded committees that seat adjunct members: a community's 大党委 and a subdistrict's 大工委 (its 党工委).
ADJUNCT_COMMITTEE_TYPES = (OrgType.EXPANDED_COMMITTEE, OrgType.WORKING_COMMITTEE)


def committee_area(committee: PartyOrg) -> Area:
    """Where a committee's adjunct members may come from: the subdistrict (or zone) of a community's
    大党委, or the subdistrict of a 大工委 itself."""
    if committee.org_type == OrgType.WORKING_COMMITTEE:
        return committee.area
    parent = committee.area.parent
    return parent if isinstance(parent, Area) else committee.area


def _adjunct_source_errors(
    committee: PartyOrg, unit: ResidentUnit | None, department: Department | None, office: str
) -> dict[str, str]:
    within = committee_area(committee)
    if sum(1 for source in (unit, department, office) if source) != 1:
        message = _("请在驻区单位、职能部门、街道（镇）机关中选填一项，说明兼职委员来自哪里。")
        return {"unit": message}
    if unit is not None and not unit.community.path.startswith(within.path):
        return {
            "unit": _("「%(unit)s」不在%(area)s，不能进入「%(org)s」。")
            % {"unit": unit, "area": within, "org": committee}
        }
    if department is not None:
        dept_path = department.area.path
        # 区直部门 serve an area above the committee; a subdistrict's own stations serve inside it.
        if not (committee.area.path.startswith(dept_path) or dept_path.startswith(within.path)):
            return {
                "department": _("「%(dept)s」不服务%(area)s，不能进入「%(org)s」。")
                % {"dept": department, "area": within, "org": committee}
            }
    return {}


@transaction.atomic
def adjunct_add(
    *,
    actor: Any,
    committee: PartyOrg,
    name: str,
    unit: ResidentUnit | None = None,
    department: Department | None = None,
    office: str = "",
    post: str = "",
    since: datetime.date | None = None,
) -> AdjunctMember:
    """Seat someone on an expanded committee (社区大党委 or 街道大工委): a resident unit's leader, a
    functional department's (区直部门) or an official of the subdistrict office."""
    committee = PartyOrg.objects.select_related("area__parent").get(pk=committee.pk)
    if committee.org_type not in ADJUNCT_COMMITTEE_TYPES:
        raise ValidationError(_("「%(org)s」不是社区大党委或街道大工委，不能设兼职委员。") % {"org": committee})
    name = (name or "").strip()
    office = (office or "").strip()[:100]
    errors = _adjunct_source_errors(committee, unit, department, office)
    if not name:
        errors["name"] = _("请填写兼职委员姓名。")
    if since and since > timezone.localdate():
        errors["since"] = _("任职日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    seat = AdjunctMember(
        committee=committee,
        unit=unit,
        department=department,
        office=office,
        name=name,
        post=(post or "").strip(),
        since=since,
    )
    try:
        with transaction.atomic():
            seat.save()
    except IntegrityError as exc:
        raise ValidationError(
            {
                "name": _("%(name)s（%(src)s）已是「%(org)s」的在任兼职委员。")
                % {"name": name, "src": seat.source_name, "org": committee}
            }
        ) from exc
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=seat,
        changes=diff({}, snapshot(seat, ["committee", "unit", "department", "office", "name", "post", "since"])),
        area_path=committee.area.path,
    )
    return seat


@transaction.atomic
def adjunct_end(*, actor: Any, adjunct: AdjunctMember, ended_on: datetime.date | None = None) -> AdjunctMember:
    """End a seat. A conditional UPDATE: of two people ending it at once, one does it, one is told."""
    ended_on = ended_on or timezone.localdate()
    if adjunct.since and ended_on < adjunct.since:
        raise ValidationError({"ended_on": _("卸任日期不能早于任职日期。")})
    done = AdjunctMember.objects.filter(pk=adjunct.pk, is_active=True).update(is_active=False, ended_on=ended_on)
    if not done:
        raise ValidationError(_("%(name)s 已经卸任。") % {"name": adjunct.name})
    adjunct.refresh_from_db()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=adjunct,
        changes={"is_active": [True, False], "ended_on": [None, str(ended_on)]},
        area_path=adjunct.committee.area.path,
    )
    return adjunct


# -- alliances (区域党建联盟, 契约化共建) ------------------------------------------------------------------
def _related_paths(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


@transaction.atomic
def alliance_create(
    *, actor: Any, name: str, area: Area, lead_org: PartyOrg, founded_on: datetime.date | None = None
) -> Alliance:
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("请填写联盟名称。")
    if area.level == Level.GRID:
        errors["area"] = _("党建联盟建在区、街道、片区或社区，不建在网格。")
    elif not _related_paths(lead_org.area.path, area.path):
        errors["lead_org"] = _("牵头党组织「%(org)s」不在%(area)s范围内。") % {"org": lead_org, "area": area}
    if founded_on and founded_on > timezone.localdate():
        errors["founded_on"] = _("成立日期不能晚于今天。")
    if not errors and Alliance.objects.filter(area=area, name=name).exists():
        errors["name"] = _("%(area)s已有名为「%(name)s」的党建联盟。") % {"area": area, "name": name}
    if errors:
        raise ValidationError(errors)
    alliance = Alliance.objects.create(name=name, area=area, lead_org=lead_org, founded_on=founded_on)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=alliance,
        changes=diff({}, snapshot(alliance, ["name", "area", "lead_org", "founded_on"])),
        area_path=area.path,
    )
    return alliance


@transaction.atomic
def alliance_add_unit(
    *,
    actor: Any,
    alliance: Alliance,
    unit: ResidentUnit,
    covenant: str = "",
    joined_on: datetime.date | None = None,
) -> AllianceMembership:
    """A unit joins an alliance, with what it signs up to do (契约化共建)."""
    alliance = Alliance.objects.select_related("area").get(pk=alliance.pk)
    if not unit.community.path.startswith(alliance.area.path):
        raise ValidationError(
            {"unit": _("「%(unit)s」不在联盟所在的%(area)s。") % {"unit": unit, "area": alliance.area}}
        )
    if joined_on and joined_on > timezone.localdate():
        raise ValidationError({"joined_on": _("加入日期不能晚于今天。")})
    membership = AllianceMembership(
        alliance=alliance, unit=unit, covenant=(covenant or "").strip(), joined_on=joined_on
    )
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:
        raise ValidationError({"unit": _("「%(unit)s」已是该联盟的成员单位。") % {"unit": unit}}) from exc
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=membership,
        object_id=str(alliance.public_id),  # a membership has no id of its own: filed under its alliance
        changes=diff({}, snapshot(membership, ["alliance", "unit", "covenant", "joined_on"])),
        area_path=alliance.area.path,
    )
    return membership


@transaction.atomic
def alliance_remove_unit(*, actor: Any, alliance: Alliance, unit: ResidentUnit) -> None:
    deleted, _rows = AllianceMembership.objects.filter(alliance=alliance, unit=unit).delete()
    if not deleted:
        raise ValidationError(_("「%(unit)s」已不是该联盟的成员单位。") % {"unit": unit})
    audit_record(
        actor=actor,
        action=Action.DELETE,
        object_type=AllianceMembership._meta.label_lower,
        object_id=str(alliance.public_id),  # a membership has no id of its own: filed under its alliance
        object_repr=f"{alliance} · {unit}",
        changes={"unit": [str(unit), None]},
        area_path=alliance.area.path,
    )


# -- the Excel import (dangjian.units.importers checks the rows; these write them) ------------------
def units_import(*, rows: list[dict[str, Any]], writer: Writer) -> int:
    """Add the checked rows of a unit import, in batches, with one 新增 audit row each (bulk).
    Runs inside the import's transaction: every row or none; the figures store's stocks of the new
    units are recorded in it too."""
    done = 0
    for chunk in chunked(rows, writer.batch_size):
        units = [
            ResidentUnit(
                name=r["name"],
                pinyin=pinyin_initials(r["name"]),
                kind=r["kind"],
                credit_code=r["credit_code"],
                community_id=r["community_id"],
                address=r["address"],
                staff_count=r["staff_count"],
                member_count=r["member_count"],
                instructor=r["instructor"],
            )
            for r in chunk
        ]
        ResidentUnit.objects.bulk_create(units, batch_size=writer.batch_size)
        facts.record_bulk(ResidentUnit, [u.pk for u in units])  # bulk_create sends no signals
        writer.audit(
            (
                u,
                u.name,
                {"name": [None, u.name], "kind": [None, u.kind], "community": [None, r["community"]]},
                r["area_path"],
            )
            for u, r in zip(units, chunk, strict=True)
        )
        done += len(chunk)
        writer.progress(done / len(rows))
        reset_queries()
    return done


def units_import_update(*, changes: list[RecordChange], writer: Writer) -> int:
    """Apply an update-mode unit import: each changed unit saved, with its 修改 audit row."""
    for done, change in enumerate(changes, start=1):
        unit = change.record
        for field, value in change.values.items():
            setattr(unit, field, value)
        if "name" in change.values:
            unit.pinyin = pinyin_initials(unit.name)
        unit.save()
        writer.progress(done / len(changes))
    writer.audit(((c.record, c.record.name, c.changes, c.area_path) for c in changes), action=Action.UPDATE)
    return len(changes)
