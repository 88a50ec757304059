"""Writes for members, the household register and liaisons. Every write is atomic and audited.

Personal data (ID numbers, phone numbers) never goes into an audit row: a change is recorded as
"***" → "***", and every reveal of a full value writes its own REVEAL row.
"""

from __future__ import annotations

import datetime
import re
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts import services as account_services
from dangjian.accounts.models import RoleAssignment, User
from dangjian.accounts.roles import Role, acting_user
from dangjian.audit.services import Action, audit_record, diff, snapshot
from dangjian.core.text import pinyin_initials
from dangjian.core.validators import citizen_id_birth_date, citizen_id_sex, validate_citizen_id, validate_mobile
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area, Building, Estate, Level
from dangjian.units.models import ResidentUnit

from . import selectors
from .models import (
    ACTIVE_STATUSES,
    ORG_OPTIONAL_STATUSES,
    UNMANAGED_STATUSES,
    Household,
    Liaison,
    LiaisonLevel,
    Member,
    MemberCategory,
    MemberStatus,
    MemberStatusChange,
    MemberTransfer,
    Resident,
    ResidentTag,
)

# Marks a keyword argument of an update service that the caller leaves as it is.
UNCHANGED: Any = object()

S = MemberStatus
# The member status workflow: which status may follow which. Deceased is final; a moved-out
# member may come back (transferred in again) as in-service or retired.
STATUS_TRANSITIONS: dict[str, set[str]] = {
    S.IN_SERVICE: {S.RETIRED, S.FLOATING, S.POCKET, S.MOVED_OUT, S.DECEASED},
    S.RETIRED: {S.IN_SERVICE, S.FLOATING, S.POCKET, S.MOVED_OUT, S.DECEASED},
    S.FLOATING: {S.IN_SERVICE, S.RETIRED, S.POCKET, S.MOVED_OUT, S.DECEASED},
    S.POCKET: {S.IN_SERVICE, S.RETIRED, S.FLOATING, S.MOVED_OUT, S.DECEASED},
    S.MOVED_OUT: {S.IN_SERVICE, S.RETIRED},
    S.DECEASED: set(),
}
# Statuses a floating or pocket member is brought back to once under an organization's management.
MANAGED_STATUSES = [S.IN_SERVICE, S.RETIRED]
# Party membership requires the applicant to be at least this old (党章第一条).
MIN_JOIN_AGE = 18

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
PERSONAL_FIELDS = {"id_number", "mobile"}
REVEALABLE_MEMBER_FIELDS = {"id_number": gettext_lazy("身份证号"), "mobile": gettext_lazy("手机号")}


def _masked_changes(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Record that personal data changed, never the values."""
    return {
        k: (["***" if v[0] else "", "***" if v[1] else ""] if k in PERSONAL_FIELDS else v) for k, v in changes.items()
    }


def _visible(actor: Any, model: Any, obj: Any) -> bool:
    """Whether the acting user may see `obj` (the system, actor None, may see everything)."""
    if actor is None or obj is None:
        return True
    return model.objects.visible_to(actor).filter(pk=obj.pk).exists()


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


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
    if member.category == MemberCategory.PROBATIONARY and member.confirmed_on:
        error("confirmed_on", _("预备党员尚未转正，不能填写转正日期；转正后请把党员类别改为正式党员。"))
    if member.joined_on and member.confirmed_on and member.confirmed_on < member.joined_on:
        error("confirmed_on", _("转正日期不能早于入党日期。"))
    if member.joined_on and member.birth_date and member.joined_on < _add_years(member.birth_date, MIN_JOIN_AGE):
        error(
            "joined_on",
            _("入党日期早于年满 %(age)s 周岁的日期（出生日期 %(birth)s），请核对入党日期或身份证号。")
            % {"age": MIN_JOIN_AGE, "birth": member.birth_date.isoformat()},
        )

    if creating and member.status not in ACTIVE_STATUSES:
        error("status", _("新登记的党员状态应为在职、退休、流动或口袋党员。"))
    if member.org is None and member.status not in ORG_OPTIONAL_STATUSES:
        error(
            "org",
            _("%(status)s党员须填写所在党组织；组织关系不明的请登记为口袋党员。")
            % {"status": member.get_status_display()},
        )
    if creating and member.org is not None and not _visible(actor, PartyOrg, member.org):
        error("org", _("所选党组织不在您的管理范围内。"))
    if workplace_changed and member.workplace is not None and not _visible(actor, ResidentUnit, member.workplace):
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
        changes=_masked_changes(diff({}, snapshot(member, MEMBER_FIELDS))),
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
            changes=_masked_changes(changes),
            area_path=member_area_path(member),
        )
    return member


def validate_transfer(*, actor: Any, member: Member, to_org: PartyOrg | None, reason: str = "") -> None:
    """The checks of a transfer, without doing it (the page asks for confirmation in between)."""
    if member.status in {S.MOVED_OUT, S.DECEASED}:
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
    if not _visible(actor, PartyOrg, to_org):
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


# --- a member's sign-in account ------------------------------------------------------------

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{3,30}$")
# A member whose record is history (moved out, deceased) gets no account.
NO_ACCOUNT_STATUSES = {S.MOVED_OUT, S.DECEASED}


def _check_manages(actor: Any, member: Member) -> None:
    if actor is not None and not selectors.member_managed_by(actor, member):
        raise ValidationError(_("该党员的组织关系不在您的管理范围内，不能为其关联账号。"))


def validate_account_link(*, actor: Any, member: Member, user: Any) -> None:
    """The checks of linking `user` to `member`, without doing it (the page confirms in between)."""
    _check_manages(actor, member)
    if member.status in NO_ACCOUNT_STATUSES:
        raise ValidationError(
            _("%(name)s的状态为「%(s)s」，不能关联账号。") % {"name": member.name, "s": member.get_status_display()}
        )
    if member.user_id is not None and member.user_id != getattr(user, "pk", None):
        raise ValidationError(
            _("该党员已关联账号「%(u)s」，如需更换请先解除关联。") % {"u": member.user.username}  # type: ignore[union-attr]
        )
    if user is None:
        return
    if member.user_id == user.pk:
        raise ValidationError(_("该党员已关联此账号。"))
    if not user.is_active:
        raise ValidationError(_("账号「%(u)s」已停用，不能关联。") % {"u": user.username})
    if user.is_superuser:
        raise ValidationError(_("系统管理员账号不能关联为党员账号。"))
    other = Member.objects.filter(user=user).exclude(pk=member.pk).first()
    if other is not None:
        raise ValidationError(
            _("账号「%(u)s」已关联党员「%(m)s」，一个账号只能关联一名党员。") % {"u": user.username, "m": other.name}
        )


def _grant_party_member_role(*, actor: Any, member: Member, user: Any) -> None:
    """The account signs in as this member: the 党员 role bound to their home community (and organization)."""
    if RoleAssignment.objects.filter(user=user, role=Role.PARTY_MEMBER, is_active=True).exists():
        return
    account_services.role_assign(
        actor=actor, user=user, role=Role.PARTY_MEMBER, org=member.org, home_community=member.home_community
    )


def _locked_member(member: Member) -> Member:
    return (
        Member.objects.select_for_update(of=("self",))
        .select_related("org__area", "home_community", "user", "pending_user")
        .get(pk=member.pk)
    )


def _attach_account(*, actor: Any, member: Member, user: Any) -> Member:
    """Link a locked member to a locked account: the record, the 党员 role, the audit row. Callers check
    who may do it (the account holder accepting, or a worker creating the account just now)."""
    validate_account_link(actor=None, member=member, user=user)
    member.user = user
    member.pending_user, member.pending_by, member.pending_at = None, None, None
    try:
        with transaction.atomic():  # a savepoint: another member took the account a moment ago
            member.save(update_fields=["user", "pending_user", "pending_by", "pending_at", "updated_at"])
    except IntegrityError as exc:
        raise ValidationError(
            _("账号「%(u)s」已关联其他党员，一个账号只能关联一名党员。") % {"u": user.username}
        ) from exc
    # Other requests for this account cannot be accepted any more: one account, one member.
    Member.objects.filter(pending_user=user).update(pending_user=None, pending_by=None, pending_at=None)
    _grant_party_member_role(actor=actor, member=member, user=user)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=member,
        changes={"user": [None, user.username]},
        area_path=member_area_path(member),
    )
    return member


@transaction.atomic
def member_request_account_link(*, actor: Any, member: Member, user: Any) -> Member:
    """关联账号 with an existing account: asked of the account holder, who accepts it after signing in.
    Until then the account gets nothing (no record, no role). A newer request replaces an older one."""
    member = _locked_member(member)
    user = User.objects.get(pk=user.pk)
    validate_account_link(actor=actor, member=member, user=user)
    before = member.pending_user.username if member.pending_user is not None else None
    member.pending_user, member.pending_by, member.pending_at = user, acting_user(actor), timezone.now()
    member.save(update_fields=["pending_user", "pending_by", "pending_at", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=member,
        changes={"pending_user": [before, user.username]},
        area_path=member_area_path(member),
    )
    return member


@transaction.atomic
def member_cancel_account_request(*, actor: Any, member: Member) -> Member:
    """The worker withdraws a request the account holder has not answered."""
    member = _locked_member(member)
    _check_manages(actor, member)
    return _end_request(actor=actor, member=member)


def _end_request(*, actor: Any, member: Member) -> Member:
    if member.pending_user is None:
        raise ValidationError(_("该党员没有待确认的账号关联请求。"))
    username = member.pending_user.username
    member.pending_user, member.pending_by, member.pending_at = None, None, None
    member.save(update_fields=["pending_user", "pending_by", "pending_at", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=member,
        changes={"pending_user": [username, None]},
        area_path=member_area_path(member),
    )
    return member


def _holders_request(actor: Any, member: Member) -> Member:
    member = _locked_member(member)
    if actor is None or member.pending_user_id != actor.pk:
        raise ValidationError(_("这条关联请求已撤回或已处理。"))
    return member


@transaction.atomic
def member_accept_account_link(*, actor: Any, member: Member) -> Member:
    """The account holder accepts: their account is linked to the record and gets the 党员 role."""
    # The account first: two requests for one account accepted at once queue here, not deadlock.
    user = User.objects.select_for_update().get(pk=actor.pk)
    member = _holders_request(actor, member)
    return _attach_account(actor=actor, member=member, user=user)


@transaction.atomic
def member_decline_account_link(*, actor: Any, member: Member) -> Member:
    """The account holder says it is not them (or not this account)."""
    return _end_request(actor=actor, member=_holders_request(actor, member))


@transaction.atomic
def member_create_account(
    *, actor: Any, member: Member, username: str, mobile: str = "", use_member_mobile: bool = False
) -> tuple[Member, Any, str]:
    """Create an account for the member, link it, and return the temporary password (shown once,
    changed at first sign-in: the accounts app's password reset makes it)."""
    member = Member.objects.select_related("org__area", "home_community", "user").get(pk=member.pk)
    validate_account_link(actor=actor, member=member, user=None)
    username = (username or "").strip()
    if not USERNAME_RE.fullmatch(username):
        raise ValidationError(
            {"username": _("用户名为 3–30 位字母、数字或 _ . @ + - 符号，例如拼音加数字（wangjg01）。")}
        )
    if use_member_mobile:
        mobile = member.mobile
    mobile = (mobile or "").strip()
    if mobile:
        try:
            mobile = validate_mobile(mobile)
        except ValidationError as exc:
            raise ValidationError({"mobile": exc.messages}) from exc
    # A random password nobody sees, replaced at once by the temporary one the reset gives.
    user = account_services.user_create(
        actor=actor,
        username=username,
        password=secrets.token_urlsafe(24),
        full_name=member.name,
        mobile=mobile or None,
        validate=False,
    )
    # The account is new and made for this member: nobody else's account is touched.
    member = _attach_account(actor=actor, member=_locked_member(member), user=user)
    temporary = account_services.password_reset(actor=actor, user=user)
    user.refresh_from_db()
    return member, user, temporary


@transaction.atomic
def member_unlink_account(*, actor: Any, member: Member) -> Member:
    """解除关联: the account no longer signs in as this member, and its 党员 role ends."""
    member = (
        Member.objects.select_for_update(of=("self",))
        .select_related("org__area", "home_community", "user")
        .get(pk=member.pk)
    )
    _check_manages(actor, member)
    user = member.user
    if user is None:
        raise ValidationError(_("该党员尚未关联账号。"))
    member.user = None
    member.save(update_fields=["user", "updated_at"])
    ended = list(RoleAssignment.objects.filter(user=user, role=Role.PARTY_MEMBER, is_active=True))
    for assignment in ended:
        assignment.is_active = False
        assignment.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=assignment,
            changes={"is_active": [True, False], "user": str(user), "role": Role.PARTY_MEMBER},
            area_path=member_area_path(member),
        )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=member,
        changes={"user": [user.username, None]},
        area_path=member_area_path(member),
    )
    return member


# --- the household register ----------------------------------------------------------------

LANDLINE_RE = re.compile(r"^0\d{9,10}$")  # area code and number, e.g. 0756 2123456


def normalize_phone(value: str) -> str:
    """A mobile number, or a landline with its area code (elderly residents often have only one)."""
    value = re.sub(r"[\s()（）-]", "", value or "")
    if not value:
        return ""
    if LANDLINE_RE.fullmatch(value):
        return value
    try:
        return validate_mobile(value)
    except ValidationError as exc:
        raise ValidationError(_("电话应为 11 位手机号，或带区号的固定电话（如 0756-2123456）。")) from exc


def _register_area_path(building: Building) -> str:
    grid = building.grid
    return grid.path if grid is not None else building.community.path


def _clean_tags(tags: list[str] | None) -> list[str]:
    tags = list(dict.fromkeys(tags or []))
    unknown = [t for t in tags if t not in ResidentTag.values]
    if unknown:
        raise ValidationError({"tags": _("未知的标签：%(t)s") % {"t": "、".join(unknown)}})
    # Stored in the order of ResidentTag, so lists read the same everywhere.
    return [t for t in ResidentTag.values if t in tags]


@transaction.atomic
def household_create(*, actor: Any, building: Building, room: str) -> Household:
    room = (room or "").strip()
    if not room:
        raise ValidationError({"room": _("请填写门牌或房号。")})
    if len(room) > 30:
        raise ValidationError({"room": _("门牌/房号请控制在 30 字以内。")})
    if Household.objects.filter(building=building, room=room).exists():
        raise ValidationError({"room": _("%(b)s已有房号「%(r)s」的住户。") % {"b": building, "r": room}})
    try:
        with transaction.atomic():
            household = Household.objects.create(building=building, room=room)
    except IntegrityError as exc:  # another grid worker added the same room a moment ago
        raise ValidationError({"room": _("%(b)s已有房号「%(r)s」的住户。") % {"b": building, "r": room}}) from exc
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=household,
        changes={"building": [None, str(building)], "room": [None, room]},
        area_path=_register_area_path(building),
    )
    return household


@transaction.atomic
def household_delete(*, actor: Any, household: Household) -> None:
    household = (
        Household.objects.select_for_update(of=("self",))
        .select_related("building__grid", "building__community")
        .get(pk=household.pk)
    )
    if household.residents.exists():
        raise ValidationError(_("该户还有登记的居民，请先移除居民再删除住户。"))
    audit_record(
        actor=actor,
        action=Action.DELETE,
        obj=household,
        changes={"building": [str(household.building), None], "room": [household.room, None]},
        area_path=_register_area_path(household.building),
    )
    household.delete()


RESIDENT_FIELDS = ["name", "mobile", "tags"]


@transaction.atomic
def resident_create(
    *, actor: Any, household: Household, name: str, mobile: str = "", tags: list[str] | None = None
) -> Resident:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写居民姓名。")]
    try:
        mobile = normalize_phone(mobile)
    except ValidationError as exc:
        errors["mobile"] = exc.messages
    try:
        clean_tags = _clean_tags(tags)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    resident = Resident.objects.create(household=household, name=name, mobile=mobile, tags=clean_tags)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=resident,
        changes=_masked_changes(diff({}, snapshot(resident, RESIDENT_FIELDS))) | {"household": [None, str(household)]},
        area_path=_register_area_path(household.building),
    )
    return resident


@transaction.atomic
def resident_update(
    *, actor: Any, resident: Resident, name: str = UNCHANGED, mobile: str = UNCHANGED, tags: list[str] = UNCHANGED
) -> Resident:
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    before = snapshot(resident, RESIDENT_FIELDS)
    errors: dict[str, list[str]] = {}
    if name is not UNCHANGED:
        resident.name = (name or "").strip()
        if not resident.name:
            errors["name"] = [_("请填写居民姓名。")]
    if mobile is not UNCHANGED:
        try:
            resident.mobile = normalize_phone(mobile)
        except ValidationError as exc:
            errors["mobile"] = exc.messages
    if tags is not UNCHANGED:
        try:
            resident.tags = _clean_tags(tags)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    changes = diff(before, snapshot(resident, RESIDENT_FIELDS))
    if changes:
        resident.save()
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=resident,
            changes=_masked_changes(changes),
            area_path=_register_area_path(resident.household.building),
        )
    return resident


@transaction.atomic
def resident_delete(*, actor: Any, resident: Resident) -> None:
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    household = resident.household
    audit_record(
        actor=actor,
        action=Action.DELETE,
        obj=resident,
        changes={"name": [resident.name, None], "household": [str(household), None]},
        area_path=_register_area_path(household.building),
    )
    resident.delete()


@transaction.atomic
def resident_reveal_mobile(*, actor: Any, resident: Resident, ip: str | None = None, via: str = "") -> str:
    """A resident's full phone number (also shown by the edit form, `via="edit"`); always audited."""
    changes = {"field": "mobile", "via": via} if via else {"field": "mobile"}
    audit_record(
        actor=actor,
        action=Action.REVEAL,
        obj=resident,
        changes=changes,
        ip=ip,
        area_path=_register_area_path(resident.household.building),
    )
    return resident.mobile


# --- liaisons (包联 / 挂点) ------------------------------------------------------------------


@transaction.atomic
def liaison_assign(
    *,
    actor: Any,
    leader_name: str,
    post: str,
    level: str,
    area: Area | None = None,
    estate: Estate | None = None,
    since: datetime.date | None = None,
    user: Any = None,
) -> Liaison:
    """Make a leader responsible for a community, a grid or an estate."""
    errors: dict[str, list[str]] = {}
    leader_name, post = (leader_name or "").strip(), (post or "").strip()
    if not leader_name:
        errors["leader_name"] = [_("请填写包联领导的姓名。")]
    if not post:
        errors["post"] = [_("请填写包联领导的职务。")]
    if level not in LiaisonLevel.values:
        errors["level"] = [_("请选择包联领导的层级。")]
    if (area is None) == (estate is None):
        errors["area"] = [_("请选择一个包联对象：社区、网格或小区（只选一个）。")]
    elif area is not None and area.level not in {Level.COMMUNITY, Level.GRID}:
        errors["area"] = [_("包联对象应为社区或网格。")]
    elif not _visible(actor, Area, area) or not _visible(actor, Estate, estate):
        errors["area"] = [_("所选包联对象不在您的管理范围内。")]
    if since and since > timezone.localdate():
        errors["since"] = [_("起始日期不能晚于今天。")]
    try:
        _check_liaison_account(user)
    except ValidationError as exc:
        errors["account"] = exc.messages
    if errors:
        raise ValidationError(errors)
    target = area or estate
    duplicate = Liaison.objects.filter(leader_name=leader_name, area=area, estate=estate, is_active=True)
    if duplicate.exists():
        raise ValidationError({"leader_name": _("%(name)s已在包联「%(t)s」。") % {"name": leader_name, "t": target}})
    try:
        with transaction.atomic():
            liaison = Liaison.objects.create(
                leader_name=leader_name, post=post, level=level, area=area, estate=estate, since=since, user=user
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"leader_name": _("%(name)s已在包联「%(t)s」。") % {"name": leader_name, "t": target}}
        ) from exc
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=liaison,
        changes={
            "leader_name": [None, leader_name],
            "post": [None, post],
            "level": [None, level],
            "target": [None, str(target)],
            "since": [None, since.isoformat() if since else None],
            "user": [None, user.username if user is not None else None],
        },
        area_path=liaison.area_path(),
    )
    return liaison


def _check_liaison_account(user: Any) -> None:
    if user is not None and (not user.is_active or user.is_superuser):
        raise ValidationError(_("账号「%(u)s」不能用作包联领导的账号。") % {"u": user.username})


@transaction.atomic
def liaison_set_account(*, actor: Any, liaison: Liaison, user: Any) -> Liaison:
    """Set (or, with None, clear) the account the leader signs in with."""
    liaison = Liaison.objects.select_for_update(of=("self",)).select_related("user").get(pk=liaison.pk)
    try:
        _check_liaison_account(user)
    except ValidationError as exc:
        raise ValidationError({"account": exc.messages}) from exc
    if not liaison.is_active:
        raise ValidationError(_("该包联已经结束，不能再修改账号。"))
    before = liaison.user.username if liaison.user is not None else None
    after = user.username if user is not None else None
    if before != after:
        liaison.user = user
        liaison.save(update_fields=["user"])
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=liaison,
            changes={"user": [before, after]},
            area_path=liaison.area_path(),
        )
    return liaison


@transaction.atomic
def liaison_end(*, actor: Any, liaison: Liaison, ended_on: datetime.date | None = None) -> Liaison:
    """End an assignment; it stays on record with its end date."""
    ended_on = ended_on or timezone.localdate()
    if liaison.since and ended_on < liaison.since:
        raise ValidationError({"ended_on": _("结束日期不能早于起始日期。")})
    # Conditional update: of two people ending the same assignment, one wins, the other is told.
    updated = Liaison.objects.filter(pk=liaison.pk, is_active=True).update(is_active=False, ended_on=ended_on)
    if not updated:
        raise ValidationError(_("该包联已经结束。"))
    liaison.refresh_from_db()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=liaison,
        changes={"is_active": [True, False], "ended_on": [None, ended_on.isoformat()]},
        area_path=liaison.area_path(),
    )
    return liaison
