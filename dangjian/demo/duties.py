"""Demo duty lists and 社区工作事项准入 (a DEMO_EXTENSIONS step; seed 001: 调整后街道、社区的职责分别从原来的
38、96项降至23、48项).

- every subdistrict's 街道权责清单 in two versions: 38 items in force from 2019, then 23 from 2020 (招商引资、
  协税护税 and the other economic tasks taken off, two service items added, one renamed);
- the district's shared 社区工作事项清单 in two versions: 96 items (enforcement, demolition and clean-up
  among them, marked as not for communities), then 48;
- an admission request of the market regulation bureau admitted by the joint meeting (经费 2 万元), and one
  of the police bureau waiting for the district's decision;
- a task of the market regulation bureau sent down to 拱北街道's communities on the admitted item, half of
  them replied (婆石社区 still owes its reply: sq_worker's 今日待办);
- a task of the city management bureau refused for lack of admission.
Nothing here is random: the lists are the same for every seed.
"""

from __future__ import annotations

import contextlib
import datetime
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dangjian.duties.models import ListKind
from dangjian.duties.rules import ensure_kinds
from dangjian.duties.services import admission, lists, tasks
from dangjian.territory.models import Area, Level
from dangjian.units.models import Department

# 街道权责清单: (name, kind) — the first 21 stay, the last 17 go; two are added in version 2.
STREET_KEPT = [
    ("党的建设和组织建设", "party_building"),
    ("基层党组织书记抓党建述职评议", "party_building"),
    ("党员教育管理和发展党员", "party_building"),
    ("区域化党建和共驻共建", "party_building"),
    ("统筹街长制和吹哨报到", "governance"),
    ("网格化服务管理统筹", "governance"),
    ("社区治理和居民自治指导", "governance"),
    ("矛盾纠纷排查调处", "governance"),
    ("平安建设和综治维稳", "governance"),
    ("应急管理和防灾减灾", "governance"),
    ("安全生产监督检查协调", "admin_assist"),
    ("城市管理综合执法协调", "enforcement"),
    ("违法建设巡查发现和报告", "demolition"),
    ("市容环境卫生统筹", "environment"),
    ("民生保障和社会救助", "service"),
    ("养老服务和助老关爱", "service"),
    ("就业创业服务", "service"),
    ("公共文化体育服务", "service"),
    ("退役军人服务", "service"),
    ("残疾人服务", "service"),
    ("志愿服务统筹", "service"),
]
STREET_DROPPED = [
    ("招商引资", "other"),
    ("协税护税", "other"),
    ("企业入统和经济统计", "other"),
    ("重点项目建设推进", "other"),
    ("园区经济发展", "other"),
    ("楼宇经济服务", "other"),
    ("经济普查专项", "admin_assist"),
    ("固定资产投资统计", "other"),
    ("企业融资对接", "other"),
    ("税源培植", "other"),
    ("产业项目落地服务", "other"),
    ("商贸流通促进", "other"),
    ("外资外贸促进", "other"),
    ("集体经济产业发展", "other"),
    ("农业生产统计", "admin_assist"),
    ("经济责任目标考核", "other"),
    ("专项招商活动组织", "other"),
]
STREET_ADDED = [("党群服务中心阵地运行", "service"), ("接诉即办统筹督办", "governance")]
STREET_RENAMED = ("志愿服务统筹", "新时代文明实践和志愿服务统筹")

# 社区工作事项清单: 46 kept of the 96 and two added; the 50 taken off include what communities may not be
# responsible for (行政执法、拆迁拆违、环境整治).
COMMUNITY_KEPT = [
    ("社区党组织建设", "party_building"),
    ("“三会一课”和主题党日", "party_building"),
    ("党员教育管理", "party_building"),
    ("发展党员推荐", "party_building"),
    ("党费收缴", "party_building"),
    ("在职党员双报到服务", "party_building"),
    ("兼职委员和大党委运行", "party_building"),
    ("小区党支部建设", "party_building"),
    ("党员中心户联系群众", "party_building"),
    ("流动党员服务", "party_building"),
    ("居民会议和居民代表会议", "governance"),
    ("议事协商和四议两公开", "governance"),
    ("居务公开", "governance"),
    ("网格巡查和事件上报", "governance"),
    ("矛盾纠纷调解", "governance"),
    ("业委会和物业协调", "governance"),
    ("居民公约制定和执行", "governance"),
    ("社区平安志愿巡逻", "governance"),
    ("重点人员关爱帮扶", "governance"),
    ("社区应急预案和演练", "governance"),
    ("防汛防台转移安置协助", "admin_assist"),
    ("人口信息采集更新", "admin_assist"),
    ("出租屋信息登记协助", "admin_assist"),
    ("社会救助申请受理", "service"),
    ("低保对象走访", "service"),
    ("特困人员关爱", "service"),
    ("居家养老服务", "service"),
    ("长者饭堂运营", "service"),
    ("残疾人服务", "service"),
    ("困境儿童关爱", "service"),
    ("就业信息发布和登记", "service"),
    ("退役军人服务站", "service"),
    ("社区文化活动", "service"),
    ("全民健身活动", "service"),
    ("科普和读书活动", "service"),
    ("社区教育", "service"),
    ("志愿服务组织", "service"),
    ("时间银行运行", "service"),
    ("民生微实事征集", "service"),
    ("党群服务中心开放", "service"),
    ("计生服务和优生优育宣传", "service"),
    ("老年人优待证办理协助", "service"),
    ("医保参保登记协助", "admin_assist"),
    ("禁毒宣传", "admin_assist"),
    ("消防安全宣传", "admin_assist"),
    ("征兵宣传和兵役登记协助", "admin_assist"),
]
COMMUNITY_ADDED = [("群众点单需求受理", "service"), ("接诉即办首问负责", "governance")]
_TOPICS = [
    "占道经营",
    "违法建设",
    "户外广告",
    "噪声扰民",
    "餐饮油烟",
    "无证摊贩",
    "渣土运输",
    "违规养犬",
    "违章停车",
    "燃放烟花",
    "房屋拆迁",
    "征地补偿",
    "城中村改造",
    "环境卫生",
    "垃圾分类",
    "病媒生物",
    "河涌治理",
    "绿化养护",
    "企业安全生产",
    "食品经营",
    "药品零售",
    "特种设备",
    "招商引资",
    "协税护税",
    "经济统计",
]
COMMUNITY_DROPPED = [
    (
        f"{topic}{'执法检查' if i < 10 else ('拆除和补偿' if i < 13 else ('专项整治' if i < 18 else '台账报送'))}",
        "enforcement" if i < 10 else ("demolition" if i < 13 else ("environment" if i < 18 else "other")),
    )
    for i, topic in enumerate(_TOPICS)
] + [(f"{topic}考核评比材料报送", "other") for topic in _TOPICS]

BASIS_1 = "香洲区委办〔2019〕3号"
BASIS_2 = "香洲区委办〔2020〕12号 街道和社区职责清单调整"


def _entries(lst: list[tuple[str, str]], kinds: dict[str, Any], lead: str) -> list[dict[str, Any]]:
    return [{"name": name, "kind": kinds[kind], "lead_text": lead, "legal_basis": ""} for name, kind in lst]


def _two_versions(
    *,
    owner: Area,
    kind: str,
    v1: list,
    keep: int,
    added: list,
    kinds: dict,
    lead: str,
    renamed: tuple[str, str] | None = None,
) -> None:
    duty_list = lists.list_create(actor=None, owner=owner, kind=kind)
    first = duty_list.versions.get()
    lists.entries_import(actor=None, version=first, rows=_entries(v1, kinds, lead))
    lists.version_enact(actor=None, list_version=first, effective_on=datetime.date(2019, 1, 1), basis=BASIS_1)
    draft = lists.draft_create(actor=None, duty_list=duty_list)
    names = {name for name, _kind in v1[keep:]}
    for entry in list(draft.entries.filter(name__in=names)):
        lists.entry_delete(actor=None, entry=entry)
    lists.entries_import(actor=None, version=draft, rows=_entries(added, kinds, lead))
    if renamed:
        entry = draft.entries.get(name=renamed[0])
        lists.entry_save(
            actor=None,
            version=draft,
            entry=entry,
            data={
                "name": renamed[1],
                "kind": entry.kind,
                "lead_text": entry.lead_text,
                "community_may_be_responsible": entry.community_may_be_responsible,
            },
        )
    lists.version_enact(actor=None, list_version=draft, effective_on=datetime.date(2020, 3, 1), basis=BASIS_2)


def build(rng: random.Random, built: Any) -> None:
    district = Area.objects.filter(level=Level.DISTRICT).order_by("path").first()
    if district is None:
        return
    kinds = ensure_kinds()
    for sub in Area.objects.filter(level=Level.SUBDISTRICT, path__startswith=district.path).order_by("path"):
        _two_versions(
            owner=sub,
            kind=ListKind.SUBDISTRICT_DUTIES,
            v1=STREET_KEPT + STREET_DROPPED,
            keep=len(STREET_KEPT),
            added=STREET_ADDED,
            kinds=kinds,
            lead=sub.name,
            renamed=STREET_RENAMED,
        )
    _two_versions(
        owner=district,
        kind=ListKind.COMMUNITY_WORK,
        v1=COMMUNITY_KEPT + COMMUNITY_DROPPED,
        keep=len(COMMUNITY_KEPT),
        added=COMMUNITY_ADDED,
        kinds=kinds,
        lead="社区居民委员会",
    )

    today = timezone.localdate()
    market = Department.objects.filter(name="香洲区市场监督管理局").first()
    police = Department.objects.filter(name="香洲区公安分局").first()
    city = Department.objects.filter(name="香洲区城市管理和综合执法局").first()
    if market is None or police is None or city is None:
        return
    food = admission.admission_submit(
        actor=None,
        sender=market,
        title="食品安全信息员入户宣传",
        reason="落实食品安全“两个责任”，需社区协助每季度入户发放宣传资料并收集线索。",
        money=Decimal("20000"),
        people=0,
        powers="线索转办权：社区收集的线索由市场监管所限时核查并反馈",
        resources_note="宣传资料由区市场监管局统一印制",
    )
    admission.admission_decide(
        actor=None,
        request=food,
        step="admit",
        decided_on=today - datetime.timedelta(days=10),
        decision_body="joint_meeting",
        decision_basis="区街道社区减负联席会议第3次会议纪要",
    )
    admission.admission_submit(
        actor=None,
        sender=police,
        title="反诈宣传入户登记",
        reason="电信网络诈骗高发，拟请社区逐户登记国家反诈中心App安装情况。",
        money=Decimal("0"),
        people=0,
    )

    gongbei = Area.objects.filter(level=Level.SUBDISTRICT, name="拱北街道").first()
    communities = list(
        Area.objects.filter(level=Level.COMMUNITY, path__startswith=(gongbei or district).path).order_by("path")
    )
    food.refresh_from_db()
    task = tasks.task_create(
        actor=None,
        sender=market,
        title="第四季度食品安全入户宣传情况",
        body="请各社区于截止日前填报本季度入户宣传情况。",
        deadline=today + datetime.timedelta(days=7),
        communities=communities,
        admission=food,
        fields=[
            {"label": "入户户数", "kind": "number", "required": True},
            {"label": "发放资料（份）", "kind": "number", "required": True},
            {"label": "收集线索", "kind": "choice", "required": True, "choices": "有、无"},
            {"label": "情况说明", "kind": "text", "required": False},
        ],
    )
    tasks.task_send(actor=None, task=task)
    fields = list(task.fields.all())
    for i, reply in enumerate(task.replies.order_by("area_path")):
        if reply.community.name == "婆石社区" or i % 2 == 0 and i > 0:
            continue  # 婆石社区 and every other community still owe their reply
        tasks.reply_submit(
            actor=None,
            reply=reply,
            values={
                fields[0].name: str(120 + 15 * i),
                fields[1].name: str(200 + 20 * i),
                fields[2].name: "无",
                fields[3].name: "已按要求完成本季度入户宣传。",
            },
        )

    refused = tasks.task_create(
        actor=None,
        sender=city,
        title="门前三包环境整治情况排查",
        body="请各社区逐户排查门前三包落实情况并整改。",
        deadline=today + datetime.timedelta(days=5),
        communities=communities,
        fields=[{"label": "排查户数", "kind": "number", "required": True}],
    )
    # Refused for lack of admission, and the attempt recorded: what the demo shows.
    with contextlib.suppress(tasks.TransitionRefused):
        tasks.task_send(actor=None, task=refused)
