"""Demo 考核评议 (a DEMO_EXTENSIONS step, after org life, co-building, funds and the rest whose figures it
reads).

For the current year the district has both schemes on the one engine:
- 抓基层党建工作责任清单 for the working and community committees: every sheet auto-filled from the demo's
  live figures (org life, cases, demands, covenants, funds, weak organizations), the manual item scored
  by the district with a reason, every secretary's 述职 in, scored by the panel (qu_admin, and jd_admin
  for 拱北街道), confirmed and published: the ranking is public.
- “四个一”模范支部测评 for the branches: auto-filled, most 述职 in and scored by the panel, some confirmed;
  the branches dy_member is secretary of still owe their 述职 (今日待办), so a visitor can submit one.
- 街长评议驻街部门: a sheet per department serving the district, auto-filled from the demo's cases (response,
  on time, satisfaction); jd_admin (拱北街道's 街长) scores all but 香洲区消防救援大队 (left for a visitor
  to score), and the district confirms and publishes the scored ones: bm_staff reads 城管局's result.
- a 双随机 draw of four branches and two inspectors (its seed from the build's generator), one finding at
  each drawn branch, half of them rectified and one verified.
Scores the district and the panel give come from the build's random generator (deterministic per seed).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.assessment.models import Item, SchemeKind, Sheet, Source
from dangjian.assessment.services import inspection, schemes, sheets
from dangjian.orgs.models import OrgOfficer
from dangjian.territory.models import Area, Level

if TYPE_CHECKING:
    from .builder import Built

PANEL = ("qu_admin", "jd_admin")
CHIEF = "jd_admin"
LEFT_FOR_A_VISITOR = "香洲区消防救援大队"
CHIEF_NOTES = ("响应迅速，配合街道联合执法", "到场及时，处置规范", "个别事件推诿，需加强协同", "")
SECRETARY = "dy_member"
REPORT = (
    "{org}党组织书记{year}年度抓基层党建工作述职：\n"
    "一、落实“三会一课”、主题党日等制度，按期开展组织生活，党员参加率稳步提高。\n"
    "二、围绕接诉即办和群众点单，组织党员认领需求、参与网格巡查，推动问题就地解决。\n"
    "三、与驻区单位签订共建契约，开展联席会议和走访，共同办好民生实事。\n"
    "四、存在问题：党员教育管理的针对性还不够强，部分工作台账不够规范。\n"
    "五、下一步打算：对照考核清单逐项整改，抓好支部标准化规范化建设。"
)
FINDINGS = (
    "“三会一课”记录不完整，部分会议缺签到",
    "党员活动室未按要求开放",
    "党费收缴台账未及时更新",
    "主题党日活动缺少照片资料",
)
MANUAL_NOTES = ("查阅台账齐全，阵地建设规范", "现场检查，资料基本齐全", "台账不够完整，扣分", "对照标准逐项核查")


def _tenth(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(str(round(rng.uniform(low, high), 1)))


def _score_manual(rng: random.Random, actor: Any, sheet: Sheet, items: list[Item]) -> None:
    for item in items:
        if item.source == Source.MANUAL:
            points = min(item.weight, _tenth(rng, float(item.weight) * 0.6, float(item.weight)))
            sheets.score_enter(actor=actor, sheet=sheet, item=item, points=points, note=rng.choice(MANUAL_NOTES))


def _report_and_panel(rng: random.Random, sheet: Sheet, panel: list[User], year: int) -> None:
    sheets.report_submit(actor=None, sheet=sheet, text=REPORT.format(org=sheet.org.name, year=year))
    sheet.refresh_from_db()
    for member in panel:
        if Sheet.objects.visible_to(member).filter(pk=sheet.pk).exists():
            sheets.panel_score(actor=member, sheet=sheet, points=_tenth(rng, 68, 98), note="")


def build(rng: random.Random, built: Built | Any) -> None:
    district = Area.objects.filter(level=Level.DISTRICT).order_by("path").first()
    admin = User.objects.filter(username="qu_admin").first()
    if district is None or admin is None:
        return
    year = timezone.localdate().year
    panel = list(User.objects.filter(username__in=PANEL).order_by("username"))
    owed = set(OrgOfficer.objects.filter(user__username=SECRETARY).values_list("org_id", flat=True))

    duty = schemes.scheme_create(actor=admin, district=district, year=year, kind=SchemeKind.RESPONSIBILITY)
    schemes.panel_set(actor=admin, scheme=duty, users=panel)
    schemes.sheets_open(actor=admin, scheme=duty)
    schemes.scheme_recompute(actor=admin, scheme=duty)
    items = list(duty.items.all())
    for sheet in duty.sheets.select_related("org", "scheme").order_by("org__path"):
        _score_manual(rng, admin, sheet, items)
        _report_and_panel(rng, sheet, panel, year)
        sheets.sheet_confirm(actor=admin, sheet=sheet)
    schemes.scheme_publish(actor=admin, scheme=duty)

    model = schemes.scheme_create(actor=admin, district=district, year=year, kind=SchemeKind.MODEL_BRANCH)
    schemes.panel_set(actor=admin, scheme=model, users=panel)
    schemes.sheets_open(actor=admin, scheme=model)
    schemes.scheme_recompute(actor=admin, scheme=model)
    items = list(model.items.all())
    for n, sheet in enumerate(model.sheets.select_related("org", "scheme").order_by("org__path")):
        _score_manual(rng, admin, sheet, items)
        if sheet.org_id in owed or n % 5 == 4:
            continue  # still owes its 述职
        _report_and_panel(rng, sheet, panel, year)
        if n % 3 == 0:
            sheets.sheet_confirm(actor=admin, sheet=sheet)
    _inspection(rng, admin, model)
    _departments(rng, admin, district, year)


def _departments(rng: random.Random, admin: Any, district: Area, year: int) -> None:
    chief = User.objects.filter(username=CHIEF).first()
    scheme = schemes.scheme_create(actor=admin, district=district, year=year, kind=SchemeKind.DEPARTMENT)
    schemes.sheets_open(actor=admin, scheme=scheme)
    schemes.scheme_recompute(actor=admin, scheme=scheme)
    if chief is None:
        return
    for sheet in scheme.sheets.select_related("department", "scheme").order_by("department__name"):
        if sheet.department.name == LEFT_FOR_A_VISITOR or not Sheet.objects.visible_to(chief).filter(pk=sheet.pk):
            continue
        sheets.chief_score(actor=chief, sheet=sheet, points=_tenth(rng, 70, 97), note=rng.choice(CHIEF_NOTES))
        sheets.sheet_confirm(actor=admin, sheet=sheet)
    schemes.scheme_publish(actor=admin, scheme=scheme)


def _inspection(rng: random.Random, admin: Any, scheme: Any) -> None:
    draw = inspection.draw_make(actor=admin, scheme=scheme, org_count=4, inspector_count=2, seed=rng.getrandbits(48))
    due = timezone.localdate() + datetime.timedelta(days=30)
    for n, pick in enumerate(draw.picks.select_related("org", "inspector", "draw__scheme").order_by("position")):
        finding = inspection.finding_record(
            actor=pick.inspector, pick=pick, text=FINDINGS[n % len(FINDINGS)], deadline=due
        )
        if n % 2 == 0:
            finding = inspection.finding_rectify(actor=None, finding=finding, note="已按要求整改，补齐相关台账")
        if n == 0:
            inspection.finding_verify(actor=pick.inspector, finding=finding)
