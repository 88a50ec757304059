"""The writes on a sheet: manual scores by the district with a reason, the 述职 by the secretary, the
panel's mean, confirming, publishing with ranks; two panel members scoring at once lose nothing."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from dangjian.assessment.models import Grade, PanelScore, Score, Sheet, SheetLog, SheetStatus, Source
from dangjian.assessment.services import schemes, sheets
from dangjian.audit.models import AuditEvent

D = Decimal
REPORT = "本年度抓基层党建工作的主要做法、成效、存在问题和下一步打算如下。" * 2


def _manual(sheet):
    return Score.objects.select_related("item").get(sheet=sheet, item__source=Source.MANUAL)


def _fill(actor, sheet, points="8"):
    sheets.sheet_recompute(actor=actor, sheet=sheet)
    item = _manual(sheet).item
    sheets.score_enter(actor=actor, sheet=sheet, item=item, points=D(points), note="查阅台账")


@pytest.mark.django_db
def test_a_manual_score_needs_the_district_a_reason_and_the_weight(world, cast, sheet):
    item = _manual(sheet).item
    with pytest.raises(ValidationError):
        sheets.score_enter(actor=world.users.subdistrict_admin, sheet=sheet, item=item, points=D(5), note="x")
    with pytest.raises(ValidationError, match="评分依据"):
        sheets.score_enter(actor=cast.district, sheet=sheet, item=item, points=D(5), note=" ")
    with pytest.raises(ValidationError, match="0 到 10.0"):
        sheets.score_enter(actor=cast.district, sheet=sheet, item=item, points=D("10.1"), note="超分")
    sheets.score_enter(actor=cast.district, sheet=sheet, item=item, points=D("7.5"), note="阵地建设基本规范")
    score = _manual(sheet)
    assert (score.points, score.explanation, score.entered_by) == (D("7.5"), "阵地建设基本规范", cast.district)
    sheet.refresh_from_db()
    assert sheet.total == D("7.5") and sheet.grade == Grade.POOR
    assert AuditEvent.objects.filter(object_id=str(sheet.public_id), changes__points__1="7.5").exists()


@pytest.mark.django_db
def test_the_secretary_reports_and_the_panel_mean_fills_the_panel_item(world, cast, sheet):
    with pytest.raises(ValidationError):
        sheets.panel_score(actor=cast.district, sheet=sheet, points=D(90))  # no 述职 yet
    with pytest.raises(ValidationError):
        sheets.report_submit(actor=cast.branch_secretary, sheet=sheet, text=REPORT)
    with pytest.raises(ValidationError, match="20"):
        sheets.report_submit(actor=cast.secretary, sheet=sheet, text="太短")
    fake = SimpleUploadedFile("述职附件.pdf", b"<html><script>x</script>", content_type="application/pdf")
    with pytest.raises(ValidationError, match="不是 PDF"):  # checked by its bytes, not its name
        sheets.report_submit(actor=cast.secretary, sheet=sheet, text=REPORT, uploads=[fake])
    upload = SimpleUploadedFile("述职附件.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    sheet = sheets.report_submit(actor=cast.secretary, sheet=sheet, text=REPORT, uploads=[upload])
    assert sheet.status == SheetStatus.REPORTED and sheet.reported_by == cast.secretary
    assert sheet.files.get().name == "述职附件.pdf" and sheet.files.get().file.name.endswith(".pdf")
    with pytest.raises(ValidationError, match="评议组成员"):
        sheets.panel_score(actor=world.users.subdistrict_admin, sheet=sheet, points=D(90))
    sheets.panel_score(actor=cast.district, sheet=sheet, points=D(90))
    sheets.panel_score(actor=cast.panelist, sheet=sheet, points=D(81))
    sheets.panel_score(actor=cast.panelist, sheet=sheet, points=D(80), note="改分")  # replaces their own
    assert PanelScore.objects.filter(sheet=sheet).count() == 2
    panel = Score.objects.get(sheet=sheet, item__source=Source.PANEL)
    assert panel.points == D("17.0")  # mean 85 of 100, × 20 / 100
    assert panel.explanation == "评议组 2 人打分，平均 85.0 分（满分 100）→ 17.0 分"
    sheet.refresh_from_db()
    assert sheet.total == D("17.0")


@pytest.mark.django_db
def test_confirming_needs_every_item_scored_then_publishing_ranks(world, cast, scheme, sheet):
    sheets.report_submit(actor=cast.secretary, sheet=sheet, text=REPORT)
    with pytest.raises(ValidationError, match="未评分"):
        sheets.sheet_confirm(actor=cast.district, sheet=sheet)
    _fill(cast.district, sheet)
    sheets.panel_score(actor=cast.district, sheet=sheet, points=D(90))
    sheets.sheet_confirm(actor=cast.district, sheet=sheet)
    other = scheme.sheets.get(org=world.cc3)
    sheets.report_submit(actor=cast.outsider_secretary, sheet=other, text=REPORT)
    _fill(cast.district, other, points="2")
    sheets.panel_score(actor=cast.district, sheet=other, points=D(60))
    sheets.sheet_confirm(actor=cast.district, sheet=other)
    with pytest.raises(ValidationError):
        sheets.score_enter(actor=cast.district, sheet=other, item=_manual(other).item, points=D(9), note="改")
    assert schemes.scheme_publish(actor=cast.district, scheme=scheme) == 2
    sheet.refresh_from_db()
    other.refresh_from_db()
    assert (sheet.status, sheet.rank, other.rank) == (SheetStatus.PUBLISHED, 1, 2)
    assert sheet.total > other.total
    assert sheet.grade == scheme.grade_of(sheet.total)
    steps = list(SheetLog.objects.filter(sheet=sheet).order_by("at", "pk").values_list("step", flat=True))
    assert steps == ["create", "report", "confirm", "publish"]
    with pytest.raises(ValidationError):
        schemes.scheme_publish(actor=cast.district, scheme=scheme)  # nothing left to publish


@pytest.mark.django_db
def test_an_item_added_later_joins_every_sheet(world, cast, scheme):
    n = scheme.sheets.count()
    item = schemes.item_add(actor=cast.district, scheme=scheme, name="党建品牌创建", weight=D(5))
    assert Score.objects.filter(item=item).count() == n
    with pytest.raises(ValidationError):
        schemes.item_add(actor=cast.district, scheme=scheme, name="自动", weight=D(5), source="auto", metric="nope")
    with pytest.raises(ValidationError):
        schemes.item_add(actor=world.users.subdistrict_admin, scheme=scheme, name="越权", weight=D(5))


@pytest.mark.django_db
def test_sheets_are_opened_once_per_organization_of_the_kind(world, cast, scheme):
    orgs = set(scheme.sheets.values_list("org__name", flat=True))
    assert orgs == {"拱北街道党工委", "吉大街道党工委", "婆石社区大党委", "海虹社区党委"}
    assert schemes.sheets_open(actor=cast.district, scheme=scheme) == 0
    assert SheetLog.objects.filter(step="create").count() == len(orgs)


@pytest.mark.django_db(transaction=True)
def test_two_panel_members_scoring_at_once_lose_nothing(world, cast, sheet):
    sheets.report_submit(actor=cast.secretary, sheet=sheet, text=REPORT)
    barrier = threading.Barrier(2)
    errors = []

    def score(member, points):
        try:
            barrier.wait()
            sheets.panel_score(actor=member, sheet=sheet, points=D(points))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=score, args=a) for a in ((cast.district, 90), (cast.panelist, 70))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert PanelScore.objects.filter(sheet=sheet).count() == 2
    assert Score.objects.get(sheet=sheet, item__source=Source.PANEL).points == D("16.0")  # mean 80
    assert Sheet.objects.get(pk=sheet.pk).total == D("16.0")


@pytest.mark.django_db
def test_the_integrity_check_finds_a_total_written_behind_the_service(world, cast, sheet):
    from dangjian.assessment import integrity
    from dangjian.core.integrity import Options

    _fill(cast.district, sheet)
    assert list(integrity.totals(Options())) == []
    Sheet.objects.filter(pk=sheet.pk).update(total=D("99.9"))
    (found,) = list(integrity.totals(Options()))
    assert found.code == "total_mismatch" and found.pk == sheet.pk
