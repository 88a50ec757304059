"""/api/v1/assessment: the schemes, their sheets with every score and where it came from, a secretary's own
述职 sheets, and the two scores a person gives from outside the district's desk: a panel member's score
of a 述职 and a street chief's (街长) score of a stationed department, each with the sheet's version as
read (409 when the sheet took a step since). Scoped by the pages' own selectors: 404 out of scope."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from ninja import Query, Router, Schema
from pydantic import BaseModel, Field

from dangjian.core.api import ERRORS, Page, keyset_body, require_role

from . import selectors
from .models import Scheme, Sheet
from .permissions import SHEET_ROLES, VIEW_ROLES
from .services import sheets as services

router = Router(tags=["考核评议"])
MY_ORDER = ("-scheme_id", "id")  # newest scheme first (a keyset cursor reads the row's own columns)


class ItemOut(Schema):
    id: int
    order: int
    name: str
    list_kind: str
    weight: Decimal
    source: str
    source_label: str
    metric: str
    evidence: str


class SchemeOut(Schema):
    id: UUID
    year: int
    kind: str
    kind_label: str
    title: str
    good_from: Decimal
    fair_from: Decimal
    pass_from: Decimal
    published_at: datetime | None = None

    @staticmethod
    def of(s: Scheme) -> SchemeOut:
        return SchemeOut(
            id=s.public_id, year=s.year, kind=s.kind, kind_label=str(s.get_kind_display()), title=s.title,
            good_from=s.good_from, fair_from=s.fair_from, pass_from=s.pass_from, published_at=s.published_at,
        )  # fmt: skip


class SchemeDetailOut(SchemeOut):
    items: list[ItemOut]


class Subject(Schema):
    kind: str  # "org" or "department"
    id: UUID
    name: str


class SheetOut(Schema):
    id: UUID
    scheme: UUID
    subject: Subject
    status: str
    status_label: str
    total: Decimal
    grade: str
    grade_label: str
    rank: int | None = None
    version: int

    @staticmethod
    def fields(s: Sheet) -> dict:
        subject = s.subject
        return {
            "id": s.public_id,
            "scheme": s.scheme.public_id,
            "subject": Subject(kind="org" if s.org_id else "department", id=subject.public_id, name=subject.name),
            "status": s.status,
            "status_label": s.status_label,
            "total": s.total,
            "grade": s.grade,
            "grade_label": str(s.get_grade_display()) if s.grade else "",
            "rank": s.rank,
            "version": s.version,
        }

    @staticmethod
    def of(s: Sheet) -> SheetOut:
        return SheetOut(**SheetOut.fields(s))


class ScoreOut(Schema):
    item: int
    name: str
    source: str
    weight: Decimal
    points: Decimal | None = None
    explanation: str


class GivenScore(Schema):
    by: str
    points: Decimal
    note: str


class SheetDetailOut(SheetOut):
    scores: list[ScoreOut]
    panel: list[GivenScore]
    chiefs: list[GivenScore]
    report_text: str
    reported_at: datetime | None = None


class ListParams(Schema):
    cursor: str | None = None
    limit: int | None = None


class ScoreIn(BaseModel):
    points: Decimal = Field(ge=0, le=100, description="满分 100")
    note: str = Field("", max_length=300)
    version: int


def _name(user) -> str:
    return user.full_name or user.username


@router.get("/assessment/schemes", response={200: Page[SchemeOut], **ERRORS}, summary="考核方案列表")
def scheme_list(request, params: Query[ListParams]):
    require_role(request.user, VIEW_ROLES)
    return keyset_body(
        selectors.schemes(request.user), selectors.SCHEME_ORDER, cursor=params.cursor, limit=params.limit,
        item=SchemeOut.of,
    )  # fmt: skip


@router.get(
    "/assessment/schemes/{scheme_id}", response={200: SchemeDetailOut, **ERRORS}, summary="一个考核方案及其考核项目"
)
def scheme_detail(request, scheme_id: UUID):
    require_role(request.user, VIEW_ROLES)
    scheme = selectors.scheme_get(request.user, scheme_id)
    items = [
        ItemOut(id=i.pk, order=i.order, name=i.name, list_kind=i.list_kind, weight=i.weight, source=i.source,
                source_label=str(i.get_source_display()), metric=i.metric, evidence=i.evidence)
        for i in selectors.items_of(scheme)
    ]  # fmt: skip
    return SchemeDetailOut(**SchemeOut.of(scheme).model_dump(), items=items)


@router.get(
    "/assessment/schemes/{scheme_id}/sheets", response={200: Page[SheetOut], **ERRORS}, summary="方案的评分表（按总分）"
)
def scheme_sheets(request, scheme_id: UUID, params: Query[ListParams]):
    require_role(request.user, VIEW_ROLES)
    scheme = selectors.scheme_get(request.user, scheme_id)
    rows = selectors.sheets_of(request.user, scheme).select_related("scheme")
    return keyset_body(rows, selectors.SHEET_ORDER, cursor=params.cursor, limit=params.limit, item=SheetOut.of)


def _detail(sheet: Sheet) -> SheetDetailOut:
    return SheetDetailOut(
        **SheetOut.fields(sheet),
        scores=[
            ScoreOut(
                item=s.item_id,
                name=s.item.name,
                source=s.item.source,
                weight=s.item.weight,
                points=s.points,
                explanation=s.explanation,
            )
            for s in selectors.scores_of(sheet)
        ],  # fmt: skip
        panel=[GivenScore(by=_name(p.member), points=p.points, note=p.note) for p in selectors.panel_scores(sheet)],
        chiefs=[GivenScore(by=_name(c.chief), points=c.points, note=c.note) for c in selectors.chief_scores(sheet)],
        report_text=sheet.report_text,
        reported_at=sheet.reported_at,
    )


@router.get(
    "/assessment/sheets/{sheet_id}", response={200: SheetDetailOut, **ERRORS}, summary="一张评分表：各项得分及其来源"
)
def sheet_detail(request, sheet_id: UUID):
    require_role(request.user, SHEET_ROLES)
    return _detail(selectors.sheet_get(request.user, sheet_id))


@router.get("/assessment/my-sheets", response={200: Page[SheetOut], **ERRORS}, summary="我的述职（我任书记的党组织）")
def my_sheets(request, params: Query[ListParams]):
    return keyset_body(
        selectors.my_sheets(request.user), MY_ORDER, cursor=params.cursor, limit=params.limit, item=SheetOut.of
    )


@router.post(
    "/assessment/sheets/{sheet_id}/panel-score", response={200: SheetDetailOut, **ERRORS}, summary="评议组成员评议打分"
)
def panel_score(request, sheet_id: UUID, payload: ScoreIn):
    require_role(request.user, SHEET_ROLES)
    sheet = selectors.sheet_get(request.user, sheet_id)
    services.panel_score(
        actor=request.user, sheet=sheet, points=payload.points, note=payload.note, version=payload.version
    )
    return _detail(selectors.sheet_get(request.user, sheet_id))


@router.post(
    "/assessment/sheets/{sheet_id}/chief-score", response={200: SheetDetailOut, **ERRORS}, summary="街长为驻街部门评分"
)
def chief_score(request, sheet_id: UUID, payload: ScoreIn):
    require_role(request.user, SHEET_ROLES)
    sheet = selectors.sheet_get(request.user, sheet_id)
    services.chief_score(
        actor=request.user, sheet=sheet, points=payload.points, note=payload.note, version=payload.version
    )
    return _detail(selectors.sheet_get(request.user, sheet_id))
