"""Writes for members: register, change, transfer, status workflow, reveal, and the bulk import.

Personal data (ID numbers, phone numbers) never goes into an audit row: a change is recorded as
"***" → "***", and every reveal of a full value writes its own REVEAL row.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.audit.services import Action, audit_record, diff, snapshot
from dangjian.core.db import pk_runs
from dangjian.core.scoping import acting_user
from dangjian.core.tasks import facts_record_bulk
from dangjian.core.text import pinyin_initials, pinyin_initials_many
from dangjian.core.validators import citizen_id_birth_date, citizen_id_sex, validate_citizen_id, validate_mobile
from dangjian.imports.engine import RecordChange, Writer
from dangjian.imports.resolvers import chunked
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area, Building, Estate, Level
from dangjian.units.models import ResidentUnit

from ..models import (
    ACTIVE_STATUSES,
    OFF_BOOKS_STATUSES,
    ORG_OPTIONAL_STATUSES,
    UNMANAGED_STATUSES,
    Member,
    MemberCategory,
    MemberStatus,
    MemberStatusChange,
    MemberTransfer,
)
from ..validators import dates_errors, org_missing_error
from .common import UNCHANGED, masked_changes, visible_to_actor

S = MemberStatus
# The member status workflow: which status may follow which. Deceased and removed (出党) are final;
# a moved-out member may come back (transferred in again) as in-service or retired.
STATUS_TRANSITIONS: dict[str, set[str]] = {
    S.IN_SERVICE: {S.RETIRED, S.FLOATING, S.POCKET, S.MOVED_OUT, S.DECEASED, S.REMOVED},
    S.RETIRED: {S.IN_SERVICE, S.FLOATING, S.POCKET, S.MOVED_OUT, S.DECEASED, S.REMOVED},
    S.FLOATING: {S.IN_SERVICE, S.RETIRED, S.POCKET, S.MOVED_OUT, S.DECEASED, S.REMOVED},
    S.POCKET: {S.IN_SERVICE, S.RETIRED, S.FLOATING, S.MOVED_OUT, S.DECEASED, S.REMOVED},
    S.MOVED_OUT: {S.IN_SERVICE, S.RETIRED},
    S.DECEASED: set(),
    S.REMOVED: set(),
}
# Statuses a floating or pocket member is brought back to once under an organization's management.
MANAGED_STATUSES = [S.IN_SERVICE, S.RETIRED]
# Party membership requires the applicant to be at least this old (党章第一条).

MEMBER_FIELDS = [
    "name",
    "sex",
    "birth_date",
    "id_number",
    "mobile",
    "category",
    "joined_on",
    "confirmed_on",
    "status",
    "org",
    "workplace",
    "home_community",
    "home_estate",
    "home_building",
    "user",
]
REVEALABLE_MEMBER_FIELDS = {"id_number": gettext_lazy("身份证号"), "mobile": gettext_lazy("手机号")}


def member_area_path(member: Member) -> str:
    """The territory path an audit row about a member is filed under: their organization's, else their home's."""
    org, home = member.org, member.home_community
    if org is not None:
        return org.area.path
    return home.path if home is not None else ""


# --- members -------------------------------------------------------------------------------


def _clean_member(member: Member, *, actor: Any, creating: bool, workplace_changed: bool = True) -> None:
    """Normalize and check a member's facts in place; raise one ValidationError listing every problem."""
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    today = timezone.localdate()
    member.name = (member.name or "").strip()
    if not member.name:
        error("name", _("请填写党员姓名。"))
    member.pinyin = pinyin_initials(member.name)

    raw_id = (member.id_number or "").strip()
    member.id_number = None
    if raw_id:
        try:
            member.id_number = validate_citizen_id(raw_id, today=today)
        except ValidationError as exc:
            error("id_number", exc.messages[0])
        else:
            # Birth date and sex come from the number itself (GB 11643), never typed twice.
            member.birth_date = citizen_id_birth_date(member.id_number)
            member.sex = citizen_id_sex(member.id_number)
            duplicate = Member.objects.filter(id_number=member.id_number).exclude(pk=member.pk).exists()
            if duplicate:
                error(
                    "id_number",
                    _("该身份证号已有党员记录，请勿重复登记；如该党员在其他组织，请联系上级组织办理组织关系转接。"),
                )
    raw_mobile = (member.mobile or "").strip()
    member.mobile = ""
    if raw_mobile:
        try:
            member.mobile = validate_mobile(raw_mobile)
        except ValidationError as exc:
            error("mobile", exc.messages[0])

    if member.category not in MemberCategory.values:
        error("category", _("请选择党员类别。"))
    if member.joined_on and member.joined_on > today:
        error("joined_on", _("入党日期不能晚于今天。"))
    if member.confirmed_on and member.confirmed_on > today:
        error("confirmed_on", _("转正日期不能晚于今天。"))
    for field, message in dates_errors(
        category=member.category,
        joined_on=member.joined_on,
        confirmed_on=member.confirmed_on,
        birth_date=member.birth_date,
    ):
        error(field, message)

    if creating and member.status not in ACTIVE_STATUSES:
        error("status", _("新登记的党员状态应为在职、退休、流动或口袋党员。"))
    if no_org := org_missing_error(member.status, has_org=member.org is not None):
        error("org", no_org)
    if creating and member.org is not None and not visible_to_actor(actor, PartyOrg, member.org):
        error("org", _("所选党组织不在您的管理范围内。"))
    if (
        workplace_changed
        and member.workplace is not None
        and not visible_to_actor(actor, ResidentUnit, member.workplace)
    ):
        error("workplace", _("所选工作单位不在您的管理范围内。"))

    # Home: building → estate → community must agree; missing upper levels are filled in.
    building, estate, community = member.home_building, member.home_estate, member.home_community
    if building is not None:
        if estate is None and building.estate_id:
            estate = building.estate
        elif estate is not None and building.estate_id != estate.pk:
            error("home_building", _("所选楼栋「%(b)s」不在小区「%(e)s」内。") % {"b": building.name, "e": estate.name})
        if community is None:
            community = building.community
        elif building.community_id != community.pk:
            error("home_building", _("所选楼栋不在居住社区「%(c)s」内。") % {"c": community.name})
    if estate is not None:
        if community is None:
            community = estate.community
        elif estate.community_id != community.pk:
            error(
                "home_estate", _("所选小区「%(e)s」不在居住社区「%(c)s」内。") % {"e": estate.name, "c": community.name}
            )
    if community is not None and community.level != Level.COMMUNITY:
        error("home_community", _("居住社区应选择一个社区。"))
    member.home_building, member.home_estate, member.home_community = building, estate, community
    if errors:
        raise ValidationError(errors)


def _save_member(member: Member) -> None:
    try:
        with transaction.atomic():  # a savepoint, so a lost race on the ID number stays a clear message
            member.save()
    except IntegrityError as exc:
        if member.id_number and Member.objects.filter(id_number=member.id_number).exclude(pk=member.pk).exists():
            raise ValidationError({"id_number": _("该身份证号已有党员记录，请勿重复登记。")}) from exc
        raise


@transaction.atomic
def member_create(
    *,
    actor: Any,
    name: str,
    id_number: str = "",
    mobile: str = "",
    category: str = MemberCategory.FULL,
    joined_on: datetime.date | None = None,
    confirmed_on: datetime.date | None = None,
    status: str = MemberStatus.IN_SERVICE,
    org: PartyOrg | None = None,
    workplace: ResidentUnit | None = None,
    home_community: Area | None = None,
    home_estate: Estate | None = None,
    home_building: Building | None = None,
    user: Any = None,
) -> Member:
    member = Member(
        name=name,
        id_number=id_number,
        mobile=mobile,
        category=category,
        joined_on=joined_on,
        confirmed_on=confirmed_on,
        status=status,
        org=org,
        workplace=workplace,
        home_community=home_community,
        home_estate=home_estate,
        home_building=home_building,
        user=user,
    )
    _clean_member(member, actor=actor, creating=True)
    _save_member(member)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=member,
        changes=masked_changes(diff({}, snapshot(member, MEMBER_FIELDS))),
        area_path=member_area_path(member),
    )
    return member


@transaction.atomic
def member_update(
    *,
    actor: Any,
    member: Member,
    name: str = UNCHANGED,
    id_number: str = UNCHANGED,
    mobile: str = UNCHANGED,
    category: str = UNCHANGED,
    joined_on: datetime.date | None = UNCHANGED,
    confirmed_on: datetime.date | None = UNCHANGED,
    workplace: ResidentUnit | None = UNCHANGED,
    home_community: Area | None = UNCHANGED,
    home_estate: Estate | None = UNCHANGED,
    home_building: Building | None = UNCHANGED,
    user: Any = UNCHANGED,
) -> Member:
    """Change a member's facts. The organization changes only by a transfer, the status only by its workflow."""
    member = (
        Member.objects.select_for_update(of=("self",)).select_related("org__area", "home_community").get(pk=member.pk)
    )
    before = snapshot(member, MEMBER_FIELDS)
    before_workplace_id = member.workplace_id
    given = {
        "name": name,
        "id_number": id_number,
        "mobile": mobile,
        "category": category,
        "joined_on": joined_on,
        "confirmed_on": confirmed_on,
        "workplace": workplace,
        "home_community": home_community,
        "home_estate": home_estate,
        "home_building": home_building,
        "user": user,
    }
    for field, value in given.items():
        if value is not UNCHANGED:
            setattr(member, field, value)
    if id_number is not UNCHANGED and not (id_number or "").strip():
        member.birth_date, member.sex = None, ""
    _clean_member(
        member,
        actor=actor,
        creating=False,
        workplace_changed=workplace is not UNCHANGED and getattr(workplace, "pk", None) != before_workplace_id,
    )
    changes = diff(before, snapshot(member, MEMBER_FIELDS))
    if changes:
        _save_member(member)
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=member,
            changes=masked_changes(changes),
            area_path=member_area_path(member),
        )
    return member


def validate_transfer(*, actor: Any, member: Member, to_org: PartyOrg | None, reason: str = "") -> None:
    """The checks of a transfer, without doing it (the page asks for confirmation in between)."""
    if member.status in OFF_BOOKS_STATUSES:
        raise ValidationError(
            {
                "to_org": _("%(name)s的状态为「%(status)s」，不能转接组织关系。")
                % {"name": member.name, "status": member.get_status_display()}
            }
        )
    if to_org is None:
        raise ValidationError({"to_org": _("请选择转入的党组织。")})
    if member.org_id == to_org.pk:
        raise ValidationError({"to_org": _("转入组织与当前所在组织「%(org)s」相同。") % {"org": to_org.name}})
    if not visible_to_actor(actor, PartyOrg, to_org):
        raise ValidationError({"to_org": _("所选党组织不在您的管理范围内。")})
    if len((reason or "").strip()) > 200:
        raise ValidationError({"reason": _("转接原因请控制在 200 字以内。")})


@transaction.atomic
def member_transfer(*, actor: Any, member: Member, to_org: PartyOrg, reason: str = "") -> MemberTransfer:
    """组织关系转接: move the member's relationship to another organization, keeping the move as history."""
    # Locked, so two people transferring the same member at once are served one after the other.
    member = Member.objects.select_for_update(of=("self",)).select_related("org__area").get(pk=member.pk)
    reason = (reason or "").strip()
    validate_transfer(actor=actor, member=member, to_org=to_org, reason=reason)
    from_org = member.org
    transfer = MemberTransfer.objects.create(
        member=member,
        from_org=from_org,
        to_org=to_org,
        reason=reason,
        actor=acting_user(actor),
    )
    member.org = to_org
    member.save(update_fields=["org", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.MOVE,
        obj=member,
        changes={"org": [str(from_org) if from_org else None, str(to_org)], "reason": reason},
        area_path=to_org.area.path,
    )
    return transfer


@transaction.atomic
def member_set_status(*, actor: Any, member: Member, status: str, note: str) -> MemberStatusChange:
    """Move a member along the status workflow (STATUS_TRANSITIONS), with a note saying why."""
    member = (
        Member.objects.select_for_update(of=("self",)).select_related("org__area", "home_community").get(pk=member.pk)
    )
    note = (note or "").strip()
    if status not in MemberStatus.values:
        raise ValidationError({"status": _("未知的党员状态。")})
    old = member.status
    if status == old:
        raise ValidationError(
            {"status": _("%(name)s的状态已经是「%(s)s」。") % {"name": member.name, "s": member.get_status_display()}}
        )
    if status not in STATUS_TRANSITIONS[old]:
        allowed = "、".join(str(MemberStatus(s).label) for s in MemberStatus.values if s in STATUS_TRANSITIONS[old])
        raise ValidationError(
            {
                "status": _("状态为「%(old)s」的党员不能改为「%(new)s」%(hint)s。")
                % {
                    "old": member.get_status_display(),
                    "new": MemberStatus(status).label,
                    "hint": _("（可改为：%(a)s）") % {"a": allowed} if allowed else _("（该状态不能再变更）"),
                }
            }
        )
    if status not in ORG_OPTIONAL_STATUSES and member.org_id is None:
        raise ValidationError({"status": _("该党员还没有所在党组织，请先转入一个党组织。")})
    if not note:
        raise ValidationError({"note": _("请填写状态变更的说明（例如：外出务工地点、联系情况）。")})
    if len(note) > 200:
        raise ValidationError({"note": _("说明请控制在 200 字以内。")})
    change = MemberStatusChange.objects.create(
        member=member,
        from_status=old,
        to_status=status,
        note=note,
        actor=acting_user(actor),
    )
    member.status = status
    member.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=member,
        changes={"status": [old, status], "note": note},
        area_path=member_area_path(member),
    )
    return change


@transaction.atomic
def member_bring_under_management(
    *, actor: Any, member: Member, status: str, note: str, org: PartyOrg | None = None
) -> Member:
    """纳入管理: a floating or pocket member is back on an organization's books (transferred in if needed)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status not in UNMANAGED_STATUSES:
        raise ValidationError({"status": _("只有流动党员和口袋党员需要纳入管理。")})
    if status not in MANAGED_STATUSES:
        raise ValidationError({"status": _("纳入管理后的状态应为在职或退休。")})
    if org is None and member.org_id is None:
        raise ValidationError({"org": _("该党员的组织关系不明，请选择接收的党组织。")})
    if org is not None and org.pk != member.org_id:
        member_transfer(actor=actor, member=member, to_org=org, reason=note)
    member_set_status(actor=actor, member=member, status=status, note=note)
    member.refresh_from_db()
    return member


@transaction.atomic
def member_reveal(*, actor: Any, member: Member, field: str, ip: str | None = None) -> str:
    """The full ID number or mobile of a member, for someone whose role needs it; always audited."""
    if field not in REVEALABLE_MEMBER_FIELDS:
        raise ValidationError(_("不能查看该字段。"))
    audit_record(
        actor=actor,
        action=Action.REVEAL,
        obj=member,
        changes={"field": field},
        ip=ip,
        area_path=member_area_path(member),
    )
    return getattr(member, field) or ""


@transaction.atomic
def member_reveal_for_edit(*, actor: Any, member: Member, ip: str | None = None) -> None:
    """The edit form shows the full ID number and mobile to the person changing them: a reveal too."""
    fields = [f for f in REVEALABLE_MEMBER_FIELDS if getattr(member, f)]
    if fields:
        audit_record(
            actor=actor,
            action=Action.REVEAL,
            obj=member,
            changes={"field": ",".join(fields), "via": "edit"},
            ip=ip,
            area_path=member_area_path(member),
        )


# --- the Excel import (dangjian.people.importers checks the rows; these write them) ---------


def members_import(*, rows: list[dict[str, Any]], writer: Writer) -> int:
    """Add the checked rows of a member import at bulk speed (COPY on PostgreSQL), in batches, inside
    the import's transaction: every row or none. The rows are named in the import's one 导入 audit
    row (by primary-key ranges, `imports.selectors.import_of`). The COPY sends no signals: the
    figures store's stocks (members by organization, units' members on record, 双报到) of the new
    members are recorded on the queue once the import commits (`core.tasks.facts_record_bulk`; the
    uploader does not wait for them, and the nightly check corrects them should the task be lost)."""
    pinyin = pinyin_initials_many(r["name"] for r in rows)
    written: list[int] = []
    done = 0
    for chunk in chunked(rows, writer.batch_size):
        values = []
        for r in chunk:
            name, number = r["name"], r["id_number"]
            values.append(
                {
                    "name": name,
                    "pinyin": pinyin[name],
                    "sex": citizen_id_sex(number),
                    "birth_date": citizen_id_birth_date(number),
                    "id_number": number,
                    "mobile": r["mobile"],
                    "category": r["category"],
                    "joined_on": r["joined_on"],
                    "confirmed_on": r["confirmed_on"],
                    "status": r["status"],
                    "org_id": r.get("org_id"),
                    "workplace_id": r.get("workplace_id"),
                    "home_community_id": r.get("home_community_id"),
                    "home_estate_id": r.get("home_estate_id"),
                }
            )
        written.extend(writer.insert(Member, values))
        done += len(chunk)
        writer.progress(done / len(rows))
    ranges = pk_runs(written)
    # robust: a queue that cannot take it (Redis restarting) costs the figures until the nightly
    # check repairs them, never the committed import.
    transaction.on_commit(lambda: facts_record_bulk(Member._meta.label_lower, ranges), robust=True)
    return done


def members_import_update(*, changes: list[RecordChange], writer: Writer) -> int:
    """Apply an update-mode member import: each changed member saved, with its 修改 audit row."""
    for done, change in enumerate(changes, start=1):
        member = cast(Member, change.record)
        for field, value in change.values.items():
            setattr(member, field, value)
        if "name" in change.values:
            member.pinyin = pinyin_initials(member.name)
        if "id_number" in change.values and member.id_number:
            member.sex = citizen_id_sex(member.id_number)
            member.birth_date = citizen_id_birth_date(member.id_number)
        member.save()
        writer.progress(done / len(changes))
    writer.audit(((c.record, c.record.name, c.changes, c.area_path) for c in changes), action=Action.UPDATE)
    return len(changes)
