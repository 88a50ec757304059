"""Taking a case in, from every channel: the resident's phone, a grid worker's patrol, the hotline,
the walk-in desk (民意接待厅) and Open311 clients all call `case_submit`.

It numbers the case from a daily counter, places it in the territory tree (a point through the
process's grid index, which also knows the community, subdistrict and district of every grid, so
placing needs no query; or a grid or community chosen by hand), proposes the duty-list item of its
category, keeps its photos, logs the SUBMIT step and audits it. Only that happens before the answer:
the search for a likely duplicate is queued after the commit (duplicates.check_after_commit). Desk
entries are accepted at once, so the person who took the call is the owner (首问负责制).
"""

from __future__ import annotations

import functools
import logging
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role, active_assignment
from dangjian.audit.services import Action, audit_record
from dangjian.core.photos import CheckedPhoto, read_photos
from dangjian.core.scoping import active_role
from dangjian.core.text import strip_xml_invalid
from dangjian.core.tree import STEP, ancestor_paths
from dangjian.core.validators import validate_mobile
from dangjian.territory.geo import GridChain, grid_index
from dangjian.territory.models import Area, Level

from .. import duplicates
from ..models import (
    Case,
    CaseCategory,
    CaseCounter,
    CasePhoto,
    CaseStatus,
    CategoryAttribute,
    Channel,
    DutyItem,
    Placement,
)
from ..services import case_accept
from ..workflow import CASE_FLOW, Party, Step
from .reference import intake_reference

logger = logging.getLogger(__name__)

# Photos per case, links sent through the API included (size and type: core.photos).
MAX_PHOTOS = int(getattr(settings, "CASE_MAX_PHOTOS", 6))
# How often a number is retried when two first-of-day submits race to create the counter row.
COUNTER_RETRIES = 5

LANDLINE_RE = re.compile(r"^0\d{9,11}$|^\d{7,8}$")


class IdempotencyMismatch(ValidationError):
    """The client reused an idempotency key for a different request (HTTP 422 at the API)."""


# --- photos -----------------------------------------------------------------


def check_photos(photos: Iterable[Any], media_urls: Iterable[str] = ()) -> tuple[list[CheckedPhoto], list[str]]:
    """Uploads (read and checked by core.photos) and photo links, before anything is written."""
    photos, media_urls = list(photos or ()), [u.strip() for u in (media_urls or ()) if u and u.strip()]
    if len(photos) + len(media_urls) > MAX_PHOTOS:
        raise ValidationError({"photos": _("最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS}})
    checked, errors = read_photos(photos)
    url_check = URLValidator(schemes=["http", "https"])
    for url in media_urls:
        try:
            if len(url) > 500:
                raise ValidationError("too long")
            url_check(url)
        except ValidationError:
            errors.append(_("照片地址无效：%(url)s") % {"url": url[:100]})
    if errors:
        raise ValidationError({"photos": errors})
    return checked, media_urls


# --- placement --------------------------------------------------------------


@dataclass
class Place:
    """Where a case lands, as the pks of the tree (the grid index knows them without a query)."""

    placement: str
    grid_id: int | None = None
    community_id: int | None = None
    subdistrict_id: int | None = None
    district_id: int | None = None
    area_path: str = ""
    note: str = ""  # for the dispatcher (border candidates, a point outside every grid)

    def fields(self) -> dict[str, Any]:
        return {
            "placement": self.placement,
            "grid_id": self.grid_id,
            "community_id": self.community_id,
            "subdistrict_id": self.subdistrict_id,
            "district_id": self.district_id,
            "area_path": self.area_path,
        }


def _chain(node: Area) -> dict[str, Area]:
    """The node and its ancestors, by level (one query)."""
    nodes = Area.objects.filter(path__in=[*ancestor_paths(node.path), node.path])
    return {a.level: a for a in nodes}


def _pk(area: Area | None) -> int | None:
    return area.pk if area is not None else None


def _place_at(node: Area, placement: str, note: str = "") -> Place:
    chain = _chain(node)
    return Place(
        placement=placement,
        grid_id=_pk(chain.get(Level.GRID)),
        community_id=_pk(chain.get(Level.COMMUNITY)),
        subdistrict_id=_pk(chain.get(Level.SUBDISTRICT)),
        district_id=_pk(chain.get(Level.DISTRICT)),
        area_path=node.path,
        note=note,
    )


def _place_in_grid(chain: GridChain, placement: str, note: str = "") -> Place:
    return Place(
        placement=placement,
        grid_id=chain.grid_id,
        community_id=chain.community_id,
        subdistrict_id=chain.subdistrict_id,
        district_id=chain.district_id,
        area_path=chain.path,
        note=note,
    )


def actor_district(actor: Any, client: Any = None) -> Area | None:
    """The district the actor (or API client) works in: where a case that fits no grid is parked."""
    if client is not None:
        return client.district
    assignment = active_assignment(actor) if actor is not None else None
    if assignment is not None:
        anchor = assignment.area or assignment.home_community
        if anchor is None and assignment.department is not None:
            anchor = assignment.department.area
        if anchor is None and assignment.unit is not None:
            anchor = assignment.unit.community
        if anchor is not None:
            return Area.objects.filter(path=anchor.path[:STEP], level=Level.DISTRICT).first()
    if getattr(actor, "is_superuser", False):
        districts = list(Area.objects.filter(level=Level.DISTRICT)[:2])
        return districts[0] if len(districts) == 1 else None
    return None


def _grid_of_client(client: Any, candidates: Sequence[int], *, lat: float, lng: float, found: Area) -> Area:
    """An API key files in its own district only: of the grids covering the point (several on a
    border), the first of the key's district, else a refusal naming where the point lies."""
    own = (
        Area.objects.filter(pk__in=candidates, path__startswith=client.district.path).order_by("path").first()
        if len(candidates) > 1
        else None
    )
    if own is not None:
        return own
    chain = _chain(found)
    where = chain.get(Level.DISTRICT) or found
    raise ValidationError(
        {
            "lat": _("坐标（%(lat).6f, %(lng).6f）位于「%(where)s」的网格「%(grid)s」，不在本密钥的辖区「%(own)s」内。")
            % {"lat": lat, "lng": lng, "where": where.name, "grid": found.name, "own": client.district.name}
        }
    )


def place_case(
    *,
    actor: Any,
    lat: float | None,
    lng: float | None,
    grid: Area | None,
    area: Area | None,
    client: Any = None,
    address: str = "",
) -> Place:
    """Where the case lands. A grid or area chosen by hand wins over the point (the operator checked it)."""
    if grid is not None:
        if grid.level != Level.GRID:
            raise ValidationError({"grid": _("请选择一个网格。")})
        return _place_at(grid, Placement.MANUAL)
    if area is not None:
        if area.level == Level.DISTRICT:
            raise ValidationError({"area": _("请至少选择到街道或社区。")})
        return _place_at(area, Placement.MANUAL)
    if lat is not None and lng is not None:
        index = grid_index()
        hit = index.lookup(lat, lng)
        if hit.status in ("inside", "border") and hit.grid_id is not None:
            chain = index.chain(hit.grid_id)
            if client is not None and not chain.path.startswith(client.district.path):
                found = Area.objects.get(pk=hit.grid_id)
                chain = index.chain(_grid_of_client(client, hit.candidates, lat=lat, lng=lng, found=found).pk)
            placement, note = Placement.POINT, ""
            if hit.status == "border":
                names = dict(Area.objects.filter(pk__in=hit.candidates).values_list("pk", "name"))
                placement = Placement.BORDER
                note = _("坐标位于网格边界（%(names)s），已按规则落入「%(grid)s」。") % {
                    "names": "、".join(names[pk] for pk in hit.candidates if pk in names),
                    "grid": names.get(chain.grid_id, ""),
                }
            if chain.district_id is None:  # an index built without the areas above the grids
                return _place_at(Area.objects.get(pk=chain.grid_id), placement, note)
            return _place_in_grid(chain, placement, note)
        district = actor_district(actor, client)
        if district is None:
            raise ValidationError({"lat": _("该位置不在任何网格内，请改为选择所在社区。")})
        note = _("坐标（%(lat).6f, %(lng).6f）不在任何网格内，已暂挂到%(d)s，请人工定位。") % {
            "lat": lat,
            "lng": lng,
            "d": district.name,
        }
        return Place(placement=Placement.OUTSIDE, district_id=district.pk, area_path=district.path, note=note)
    if client is not None and address:
        # Open311 allows an address alone: park it in the client's district for a dispatcher to place.
        note = _("仅有地址「%(a)s」，已暂挂到%(d)s，请人工定位。") % {"a": address, "d": client.district.name}
        return Place(
            placement=Placement.NONE, district_id=client.district_id, area_path=client.district.path, note=note
        )
    raise ValidationError({"area": _("请在地图上标出位置，或选择所在社区。")})


# --- numbers ----------------------------------------------------------------


def next_sequence(day) -> int:  # noqa: ANN001 - a date
    """The next number of `day`, race-safe: the UPDATE locks the day's row until the transaction ends,
    so concurrent submits queue on it and get consecutive numbers; a rolled-back submit gives its
    number back. The first submit of a day inserts the row; a racing second insert fails on the
    unique day, rolls back to its savepoint and takes the UPDATE path. One statement on the usual
    path: the UPDATE returns the new value (RETURNING: PostgreSQL, SQLite 3.35+)."""
    table = connection.ops.quote_name(CaseCounter._meta.db_table)
    for _attempt in range(COUNTER_RETRIES):
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE {table} SET "last" = "last" + 1 WHERE "day" = %s RETURNING "last"',
                [connection.ops.adapt_datefield_value(day)],
            )
            row = cursor.fetchone()
        if row is not None:
            return int(row[0])
        try:
            with transaction.atomic():
                CaseCounter.objects.create(day=day, last=1)
            return 1
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a case number")  # pragma: no cover - needs 5 lost races in a row


def format_number(prefix: str, day, seq: int) -> str:  # noqa: ANN001 - a date
    return f"{prefix}-{day:%Y%m%d}-{seq:04d}"


# --- checks -----------------------------------------------------------------


def _check_phone(value: str) -> str:
    value = re.sub(r"[\s-]", "", value or "")
    if not value:
        return ""
    if value.startswith("1") or value.startswith("+86"):
        try:
            return validate_mobile(value)
        except ValidationError as exc:
            raise ValidationError({"reporter_phone": exc.messages}) from exc
    if LANDLINE_RE.fullmatch(value):
        return value
    raise ValidationError({"reporter_phone": _("请填写 11 位手机号或带区号的固定电话。")})


def _check_attributes(category: CaseCategory, attributes: dict[str, Any] | None) -> dict[str, Any]:
    """Keep the answers to the category's questions; refuse a missing required one or a bad choice."""
    attributes = attributes or {}
    if not isinstance(attributes, dict):
        raise ValidationError({"attributes": _("附加信息格式不正确。")})
    kept: dict[str, Any] = {}
    errors: list[str] = []
    for attr in category.attributes.all():
        value = attributes.get(attr.code)
        empty = value is None or value == "" or value == []
        if empty:
            if attr.required:
                errors.append(_("请填写「%(q)s」。") % {"q": attr.description})
            continue
        keys = {str(v.get("key")) for v in attr.values or []}
        if attr.datatype == CategoryAttribute.Datatype.SINGLEVALUELIST and str(value) not in keys:
            errors.append(_("「%(q)s」的选项无效。") % {"q": attr.description})
            continue
        if attr.datatype == CategoryAttribute.Datatype.MULTIVALUELIST:
            values = value if isinstance(value, list) else [value]
            if not all(str(v) in keys for v in values):
                errors.append(_("「%(q)s」的选项无效。") % {"q": attr.description})
                continue
            value = [str(v) for v in values]
        if attr.datatype == CategoryAttribute.Datatype.NUMBER:
            try:
                float(str(value))
            except ValueError:
                errors.append(_("「%(q)s」应为数字。") % {"q": attr.description})
                continue
        kept[attr.code] = value
    if errors:
        raise ValidationError({"attributes": errors})
    return kept


def _check_inputs(
    *, channel: str, category: Any, description: str, lat: Any, lng: Any
) -> tuple[CaseCategory, str, float | None, float | None]:
    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        errors.setdefault("channel", []).append(_("来源无效。"))
    if isinstance(category, str):
        category = CaseCategory.objects.filter(code=category).first()
    if not isinstance(category, CaseCategory) or not category.is_active:
        errors.setdefault("category", []).append(_("请选择有效的事件类别。"))
    # Control characters nobody types (NUL, ESC...) break XML readers and PostgreSQL text.
    description = strip_xml_invalid(description or "").strip()
    if not description:
        errors.setdefault("description", []).append(_("请描述反映的问题。"))
    elif len(description) > 2000:
        errors.setdefault("description", []).append(_("描述不能超过 2000 字。"))
    if (lat in (None, "")) != (lng in (None, "")):
        errors.setdefault("lat", []).append(_("经纬度须同时填写。"))
        lat = lng = None
    elif lat not in (None, ""):
        try:
            lat, lng = float(lat), float(lng)
        except (TypeError, ValueError):
            errors.setdefault("lat", []).append(_("经纬度格式不正确。"))
            lat = lng = None
        else:
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                errors.setdefault("lat", []).append(_("经纬度超出范围。"))
    else:
        lat = lng = None
    if errors:
        raise ValidationError(errors)
    return category, description, lat, lng


def propose_duty_item(*, subdistrict_id: int | None, category: CaseCategory) -> DutyItem | None:
    """The first item of the subdistrict's duty list that covers the category (from the process's
    intake reference: no query once the subdistrict's list is loaded)."""
    return intake_reference().duty_item(subdistrict_id, category)


# --- the service ------------------------------------------------------------


def idempotent_replay(client: Any, idempotency_key: str, fingerprint: str = "") -> Case | None:
    """The case an earlier request with the same (client, key) made, marked `replayed`; None if none.

    Only API clients retry with a key; without a client the key means nothing (NULLs never clash).
    A key reused with a different request (another fingerprint) raises IdempotencyMismatch: the
    second report must not be lost behind the first one's answer."""
    if client is None or not idempotency_key:
        return None
    existing = (
        Case.objects.select_related("category").filter(client=client, idempotency_key=idempotency_key[:64]).first()
    )
    if existing is None:
        return None
    if fingerprint and existing.idempotency_fingerprint and fingerprint != existing.idempotency_fingerprint:
        raise IdempotencyMismatch(
            {
                "idempotency_key": _(
                    "「%(k)s」已用于另一份内容不同的提交（事件 %(n)s）。重试须发送与首次完全相同的内容；"
                    "新的反映请换一个值。"
                )
                % {"k": idempotency_key[:64], "n": existing.number}
            }
        )
    existing.replayed = True  # type: ignore[attr-defined]
    return existing


def _replay_on_clash(submit):  # noqa: ANN001, ANN202 - case_submit's own signature
    """Run `submit` (atomic); when it opened the transaction itself, a clash on the idempotency key
    rolls the whole transaction back (number included) and answers with the case that won.

    So the usual submit needs no savepoint round trips: only a call inside an outer transaction
    (a test, a batch) keeps its savepoint around the insert (see case_submit)."""

    @functools.wraps(submit)
    def wrapper(**kwargs: Any) -> Case:
        outermost = not connection.in_atomic_block
        try:
            return submit(**kwargs)
        except IntegrityError:
            client = kwargs.get("client")
            key = (kwargs.get("idempotency_key") or "").strip()[:64] if client is not None else ""
            if not outermost or not key:
                raise
            existing = idempotent_replay(client, key, kwargs.get("idempotency_fingerprint") or "")
            if existing is None:
                raise
            return existing

    return wrapper


@_replay_on_clash
@transaction.atomic
def case_submit(
    *,
    actor: Any,
    channel: str,
    category: CaseCategory | str,
    description: str,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    grid: Area | None = None,
    area: Area | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    attributes: dict[str, Any] | None = None,
    photos: Sequence[Any] = (),
    media_urls: Sequence[str] = (),
    client: Any = None,
    idempotency_key: str = "",
    idempotency_fingerprint: str = "",
    replay_checked: bool = False,
    is_public: bool = True,
    accept: bool = False,
) -> Case:
    """Register a case (登记) and return it.

    Placement: `grid` (chosen by hand) wins, then `area` (a subdistrict or community chosen by hand
    at the hotline or walk-in desk), then the point `lat`/`lng` through the grid index. A point in no
    grid is still taken: parked at the district of the actor (or API client), for a dispatcher to
    place by hand; an API client's point must lie in its district's grids or in none.
    `accept=True` (hotline, walk-in, patrol) accepts it at once with the actor as owner.
    `is_public=False` (the resident's choice) keeps the case out of public reads.
    A second call with the same (client, idempotency_key) returns the first case with
    `replayed = True`, or raises IdempotencyMismatch when its `idempotency_fingerprint` differs;
    `replay_checked=True` says the caller has just asked idempotent_replay itself (a racing retry
    is still caught by the unique constraint).
    Errors: ValidationError with field keys and Chinese messages.

    Only what the answer needs happens here (check, place, number, write, log, audit); the
    duplicate search runs on the queue after the commit (duplicates.flag_possible_duplicate).
    """
    idempotency_key = (idempotency_key or "").strip()[:64] if client is not None else ""
    idempotency_fingerprint = idempotency_fingerprint if idempotency_key else ""
    if not replay_checked:
        existing = idempotent_replay(client, idempotency_key, idempotency_fingerprint)
        if existing is not None:
            return existing
    category, description, lat, lng = _check_inputs(
        channel=channel, category=category, description=description, lat=lat, lng=lng
    )
    attributes = _check_attributes(category, attributes)
    phone = _check_phone(reporter_phone)
    checked_photos, urls = check_photos(photos, media_urls)
    address = strip_xml_invalid(address or "").strip()
    place = place_case(actor=actor, lat=lat, lng=lng, grid=grid, area=area, client=client, address=address)
    if place.district_id is None:
        raise ValidationError({"area": _("无法确定所属区，请选择所在社区。")})
    signed_in = actor is not None and getattr(actor, "is_authenticated", False)
    reporter = actor if signed_in and channel in (Channel.PHONE, Channel.PATROL) else None
    if reporter is not None:
        reporter_name = reporter_name or actor.full_name or actor.username
        phone = phone or (actor.mobile or "")
    reference = intake_reference()
    prefix = reference.number_prefix(place.district_id)
    duty_item = reference.duty_item(place.subdistrict_id, category)
    fields = {
        "channel": channel,
        "category": category,
        "description": description,
        "attributes": attributes,
        "lat": lat,
        "lng": lng,
        "address": address[:200],
        **place.fields(),
        "reporter": reporter,
        "reporter_name": strip_xml_invalid(reporter_name or "").strip()[:50],
        "reporter_phone": phone,
        "duty_item": duty_item,
        "status": CaseStatus.SUBMITTED,
        "client": client,
        "idempotency_key": idempotency_key,
        "idempotency_fingerprint": idempotency_fingerprint,
        "is_public": bool(is_public),
    }
    # The day's counter row stays locked from the number to the commit, so every submit of the
    # deployment queues on it: only a few short inserts happen while it is held, never the checks
    # above. Uploaded photos are files: with them the row is written first under a provisional
    # number and numbered last. The number and the row share a savepoint, so a retry that lost the
    # race for its idempotency key gives its number back.
    day = timezone.localdate()
    number_last = bool(checked_photos)
    # Only a key can clash with a committed row (a retry): without one, no savepoint is needed;
    # nor when this call opened the transaction (_replay_on_clash rolls it all back and replays).
    savepoint = bool(idempotency_key) and len(connection.atomic_blocks) > 1
    try:
        with transaction.atomic(savepoint=savepoint):
            if number_last:
                case = Case.objects.create(number=f"~{uuid.uuid4().hex[:23]}", **fields)
            else:
                case = Case.objects.create(number=format_number(prefix, day, next_sequence(day)), **fields)
    except IntegrityError:
        if not savepoint:
            raise
        # A retry of the same request raced this one and won: answer with its case.
        existing = idempotent_replay(client, idempotency_key, idempotency_fingerprint)
        if existing is None:
            raise
        return existing

    for photo in checked_photos:
        uploader = actor if signed_in else None
        CasePhoto.objects.create(case=case, stage=CasePhoto.Stage.REPORT, file=photo.as_file(), uploaded_by=uploader)
    for url in urls:
        CasePhoto.objects.create(case=case, stage=CasePhoto.Stage.REPORT, media_url=url)
    if number_last:
        case.number = format_number(prefix, day, next_sequence(day))
        Case.objects.filter(pk=case.pk).update(number=case.number)
    CASE_FLOW.log(
        case,
        actor=actor if signed_in else None,
        step=Step.SUBMIT,
        from_status="",
        to_status=CaseStatus.SUBMITTED,
        note=_("已登记，编号 %(n)s") % {"n": case.number},
        label=str(client) if client is not None else "",
    )
    notes = [place.note] if place.note else []
    if duty_item is not None:
        notes.append(
            _("按类别建议权责事项「%(item)s」（牵头部门：%(dept)s）")
            % {"item": duty_item.name, "dept": duty_item.lead_department.name}
        )
    if notes:
        # For dispatchers only: the resident sees the plain "registered" step.
        CASE_FLOW.log(
            case,
            actor=None,
            step=Step.SUBMIT,
            from_status=CaseStatus.SUBMITTED,
            to_status=CaseStatus.SUBMITTED,
            note="；".join(notes),
            public=False,
        )
    audit_record(
        actor=actor if signed_in else None,
        action=Action.CREATE,
        obj=case,
        object_repr=f"{case.number} {category.name}",
        changes={
            "channel": [None, str(Channel(channel).label)],
            "category": [None, category.name],
            "placement": [None, str(Placement(place.placement).label)],
            **({"client": [None, str(client)]} if client is not None else {}),
        },
        area_path=case.area_path,
    )
    if case.grid_id is not None:
        duplicates.check_after_commit(case)
    if accept and signed_in:
        case = accept_on_entry(actor=actor, case=case)
    return case


def accept_on_entry(*, actor: Any, case: Case) -> Case:
    """Accept a case the actor just entered, when they may: a dispatcher whose scope holds it, or a
    grid worker reporting on patrol in their grid (CASE_FLOW.parties_for). Anyone else (a desk
    operator taking a call about a place outside their scope) leaves the case submitted for the
    dispatcher where it landed."""
    if Party.DISPATCHER not in CASE_FLOW.parties_for(actor, case):
        return case
    patrol = case.channel == Channel.PATROL and active_role(actor) == Role.GRID_WORKER
    note = _("网格员巡查上报，即时受理") if patrol else ""
    return case_accept(actor=actor, case=case, version=case.version, note=note)
