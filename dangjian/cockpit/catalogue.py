"""The catalogue of the cockpit's figures, as data: every figure the seeds quote that the store of
facts already holds (docs/figures.md is the same list for people, with the seed each one answers).

A figure is one reading of one subject of the store (core.figures.facts) at a territory node and a
date: a counter, the amount, or one counter over another (a rate, in per cent). What the date means
follows the subject:

- a stock (units, members registered at home, councils, estates, the workforce) is what exists at
  the end of the date;
- a flow (cases, demands, projects, runs, matters, org-life periods) is what happened from the first
  of January of the date's year to the date (本年累计), as the seeds report a year's work.

`value(measures)` turns a subject's summed measures into the figure, so a tile group reads each of
its subjects once (cockpit.readings) and computes every figure of the group from that one reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from dangjian.core.figures.facts import Measures
from dangjian.core.figures.rollup import share


@dataclass(frozen=True)
class Group:
    key: str
    label: Any


GROUPS = (
    Group("organization", _("组织体系")),
    Group("members", _("党员作用")),
    Group("service", _("服务")),
    Group("governance", _("治理")),
    Group("support", _("保障")),
)
GROUP_KEYS = {g.key: g for g in GROUPS}

# What a flow's date range is called on the page.
YEAR_TO_DATE = _("本年累计")
AS_OF = _("时点数")

DIM_MARK = "#"  # a reading of one dimension value: "demands#kind:family_help"


def split_reading(key: str) -> tuple[str, str]:
    """(subject, dim) of a reading key (Figure.reading)."""
    subject, _mark, dim = key.partition(DIM_MARK)
    return subject, dim


@dataclass(frozen=True)
class Figure:
    key: str
    label: Any
    group: str
    definition: Any
    unit: Any  # 个, 人, 件, 次, %, 万元, 小时
    subject: str  # the store's subject (core.figures.facts.SUBJECTS)
    stock: bool
    num: str  # a counter of the subject, or "amount"
    den: str = ""  # a rate's counter below the line (the figure is num / den in per cent)
    scale: int = 1  # the amount's divisor into `unit` (fen → 万元: 1,000,000)
    seed: str = ""  # what a seed reports of it, for docs/figures.md and the tile's small print
    trend: bool = False  # drawn in its group's monthly trend (a stock: its value at each month's end)
    lower_better: bool = False  # a target is met at or below it (blank spots)
    dim: str = ""  # one value of a dimension of the subject ("kind:family_help"); "" : the subject's total
    wall: bool = True  # shown on the 1920×1080 wall (which has room for the headline figures only)

    @property
    def rate(self) -> bool:
        return bool(self.den)

    @property
    def additive(self) -> bool:
        """Whether the children's values add up to the node's (counts and amounts; rates do not)."""
        return not self.den

    @property
    def source(self) -> str:
        below = f" / {self.den}" if self.den else ""
        at = f" [{self.dim}]" if self.dim else ""
        return f"{self.subject}{at}: {self.num}{below}"

    @property
    def reading(self) -> str:
        """What the figure reads: its subject, or one dimension value of it ("subject#kind:value")."""
        return f"{self.subject}{DIM_MARK}{self.dim}" if self.dim else self.subject

    def parts(self, m: Measures) -> tuple[int, int]:
        num = m.amount if self.num == "amount" else m[self.num]
        den = (m.amount if self.den == "amount" else m[self.den]) if self.den else 0
        return num, den

    def value(self, m: Measures) -> float | int | None:
        """The figure from the subject's summed measures (None: a rate over nothing)."""
        num, den = self.parts(m)
        if self.den:
            return share(num, den)
        if self.scale != 1:
            return round(num / self.scale, 2)
        return num


FIGURES: tuple[Figure, ...] = (
    # 组织体系 -----------------------------------------------------------------------------------
    Figure(
        "units",
        _("驻区单位"),
        "organization",
        _("登记在册、落到社区的驻区单位数（企业、社会组织、机关事业单位、业委会、物业公司等），时点数。"),
        _("个"),
        "units",
        True,
        "units",
    ),
    Figure(
        "new_sector_coverage",
        _("两新组织党组织覆盖率"),
        "organization",
        _("非公企业和社会组织中，已单独或联合组建党组织的占比（时点数）。"),
        "%",
        "units",
        True,
        "new_sector_covered",
        "new_sector",
        seed="004：28.6% → 100%",
        trend=True,
    ),
    Figure(
        "blank_units",
        _("党建空白点"),
        "organization",
        _("有党员（在册或自报）或达到规模的社会组织、但还没有党组织的驻区单位数，时点数。"),
        _("个"),
        "units",
        True,
        "blank",
        lower_better=True,
    ),
    Figure(
        "red_committee_coverage",
        _("红色业委会组织覆盖率"),
        "organization",
        _("业委会中已组建党组织（或内设党组织）的占比，时点数。"),
        "%",
        "units",
        True,
        "red_owners_committees",
        "owners_committees",
        seed="000：约 70%",
    ),
    Figure(
        "committee_work_coverage",
        _("业委会党建工作覆盖率"),
        "organization",
        _("业委会中已建党组织或派有党建指导员的占比，时点数。"),
        "%",
        "units",
        True,
        "owners_committees_work_covered",
        "owners_committees",
        seed="000：100%",
    ),
    Figure(
        "estate_branch_coverage",
        _("小区党支部覆盖率"),
        "organization",
        _("住宅小区中已建小区党支部的占比（“街道—社区—小区—楼栋”四级组织网络），时点数。"),
        "%",
        "cobuilding.estates",
        True,
        "with_branch",
        "estates",
        seed="001：451 个小区，100%",
    ),
    Figure(
        "communities",
        _("社区"),
        "organization",
        _("属地树上的社区数（“街道—社区—网格”体系），时点数。"),
        _("个"),
        "territory.areas",
        True,
        "communities",
        seed="000：130 个社区；001：57 个社区；002：22 个社区",
        wall=False,
    ),
    Figure(
        "grids",
        _("网格"),
        "organization",
        _("属地树上划定的网格数，时点数。"),
        _("个"),
        "territory.areas",
        True,
        "grids",
        seed="000：473 个网格；001：613 个网格；002：180 个网格；003：147 个网格",
        wall=False,
    ),
    Figure(
        "party_orgs",
        _("党组织"),
        "organization",
        _("所在属地在本节点、未撤销的党组织数（党委、党总支、党支部，不含党小组和党员中心户），时点数。"),
        _("个"),
        "orgs.orgs",
        True,
        "orgs",
        seed="000：近 2000 个党组织；003：209 个",
        trend=True,
        wall=False,
    ),
    Figure(
        "party_branches",
        _("党支部"),
        "organization",
        _("未撤销的党支部数（含联合党支部、小区党支部、临时党支部），时点数。"),
        _("个"),
        "orgs.orgs",
        True,
        "branches",
        seed="001：2400 多个党支部",
        wall=False,
    ),
    Figure(
        "estate_branches",
        _("小区党支部"),
        "organization",
        _("未撤销的小区党支部数，时点数。"),
        _("个"),
        "orgs.orgs",
        True,
        "estate_branches",
        seed="001：201 个",
        wall=False,
    ),
    Figure(
        "weak_open",
        _("软弱涣散党组织（整顿中）"),
        "organization",
        _("列入软弱涣散整顿、尚未摘帽的党组织数（已列入、整改中、已申请摘帽），时点数。"),
        _("个"),
        "orgs.weak",
        True,
        "open",
        lower_better=True,
        wall=False,
    ),
    Figure(
        "weak_delisted",
        _("软弱涣散党组织摘帽"),
        "organization",
        _("截至所选日期累计已摘帽的软弱涣散整顿数，时点数。"),
        _("个"),
        "orgs.weak",
        True,
        "delisted",
        seed="000：61 个全部摘帽；004：整顿 13 个",
        wall=False,
    ),
    Figure(
        "weak_delisted_rate",
        _("软弱涣散整顿摘帽率"),
        "organization",
        _("截至所选日期列入整顿的软弱涣散党组织中已摘帽的占比，时点数。"),
        "%",
        "orgs.weak",
        True,
        "delisted",
        "cases",
        seed="000：100%",
        wall=False,
    ),
    # 党员作用 -----------------------------------------------------------------------------------
    Figure(
        "members_registered",
        _("在职党员双报到"),
        "members",
        _("居住地在本社区、已到社区报到并经确认的在职党员人数，时点数。"),
        _("人"),
        "members_home",
        True,
        "registered",
        seed="001：3 万余名在职党员",
    ),
    Figure(
        "registration_rate",
        _("在职党员报到率"),
        "members",
        _("居住地在本社区的在职党员中已报到并确认的占比，时点数。"),
        "%",
        "members_home",
        True,
        "registered",
        "due",
    ),
    Figure(
        "council_party_share",
        _("议事会党员代表占比"),
        "members",
        _("居民议事会在任代表中党员的占比，时点数。"),
        "%",
        "deliberation.councils",
        True,
        "party_representatives",
        "representatives",
        seed="目标：40%",
    ),
    Figure(
        "volunteer_teams",
        _("志愿服务队"),
        "members",
        _("有效的志愿服务队数（含安全、健康、文体、司法、警务五支固定服务队），时点数。"),
        _("个"),
        "volunteering.teams",
        True,
        "teams",
        seed="002：120 多个",
        trend=True,
    ),
    Figure(
        "volunteers",
        _("服务队队员"),
        "members",
        _("有效的志愿服务队在队队员人次（一人在两支队伍计两次），时点数。"),
        _("人次"),
        "volunteering.teams",
        True,
        "volunteers",
        wall=False,
    ),
    # 服务 --------------------------------------------------------------------------------------
    Figure(
        "demands_received",
        _("群众需求受理"),
        "service",
        _("本年 1 月 1 日至所选日期提交的群众需求（微心愿、家庭帮扶等，撤回的不计）。"),
        _("件"),
        "demands",
        False,
        "received",
        trend=True,
    ),
    Figure(
        "demands_done",
        _("群众需求办结"),
        "service",
        _("本年提交的群众需求中已完成服务的件数。"),
        _("件"),
        "demands",
        False,
        "done",
        seed="001：家庭帮扶 6300 件、微心愿 2.4 万个",
        trend=True,
    ),
    Figure(
        "service_hours",
        _("党员服务时长"),
        "service",
        _("本年提交、已完成的需求记录的服务时长之和。"),
        _("小时"),
        "demands",
        False,
        "amount",
        scale=10,
        seed="000：年服务超 5000 小时",
    ),
    Figure(
        "microprojects",
        _("民生微实事项目"),
        "service",
        _("本年征集的民生微实事项目数（撤回的不计）。"),
        _("个"),
        "microprojects.projects",
        False,
        "projects",
        seed="000：608 个",
        trend=True,
    ),
    Figure(
        "microproject_paid",
        _("民生微实事资金"),
        "service",
        _("本年征集的民生微实事项目已实际支付的金额。"),
        _("万元"),
        "microprojects.projects",
        False,
        "amount",
        scale=1_000_000,
        seed="000：963.13 万元",
    ),
    Figure(
        "family_help_done",
        _("家庭帮扶办结"),
        "service",
        _("本年提交的家庭帮扶需求中已完成服务的件数。"),
        _("件"),
        "demands",
        False,
        "done",
        seed="001：家庭帮扶 6300 项",
        dim="kind:family_help",
        wall=False,
    ),
    Figure(
        "micro_wish_done",
        _("微心愿实现"),
        "service",
        _("本年提交的微心愿中已完成服务的个数。"),
        _("个"),
        "demands",
        False,
        "done",
        seed="001：个人心愿 24000 多个",
        dim="kind:micro_wish",
        wall=False,
    ),
    # 治理 --------------------------------------------------------------------------------------
    Figure(
        "cases_received",
        _("受理诉求"),
        "governance",
        _("本年 1 月 1 日至所选日期受理的事件和诉求（被合并的重复件不计）。"),
        _("件"),
        "cases",
        False,
        "received",
        seed="003：年 4680 件",
        trend=True,
    ),
    Figure(
        "cases_closed",
        _("办结诉求"),
        "governance",
        _("本年受理的诉求中已办结（含回访、归档）的件数。"),
        _("件"),
        "cases",
        False,
        "closed",
        trend=True,
    ),
    Figure(
        "cases_on_time_rate",
        _("按时办结率"),
        "governance",
        _("本年受理且已办结的诉求中，在办理时限内办结的占比。"),
        "%",
        "cases",
        False,
        "closed_on_time",
        "closed",
    ),
    Figure(
        "cases_satisfaction",
        _("群众满意率"),
        "governance",
        _("本年受理且已评价的诉求中，评价为满意或基本满意的占比。"),
        "%",
        "cases",
        False,
        "satisfied",
        "rated",
    ),
    Figure(
        "deliberation_runs",
        _("四议两公开"),
        "governance",
        _("本年提出的“四议两公开”议事流程数（撤回的不计）。"),
        _("次"),
        "deliberation.runs",
        False,
        "runs",
        seed="004：302 次",
        trend=True,
    ),
    Figure(
        "deliberation_matters",
        _("四议两公开事项"),
        "governance",
        _("本年提出的“四议两公开”流程所议事项数。"),
        _("件"),
        "deliberation.runs",
        False,
        "matters",
        seed="004：519 件",
    ),
    Figure(
        "deliberation_amount",
        _("四议两公开涉及金额"),
        "governance",
        _("本年提出的“四议两公开”事项涉及的金额。"),
        _("万元"),
        "deliberation.runs",
        False,
        "amount",
        scale=1_000_000,
        seed="004：18.23 亿元",
    ),
    Figure(
        "joint_matters",
        _("共建议事事项"),
        "governance",
        _("本年在联席会议、走访和挂点联系中收集的共建事项数。"),
        _("件"),
        "cobuilding.matters",
        False,
        "raised",
        seed="001：大党委议事 2800 项",
    ),
    Figure(
        "joint_matters_solved",
        _("共建事项解决"),
        "governance",
        _("本年收集的共建事项中已解决的件数（任务完成、转办的诉求或需求办结，或说明理由后关闭）。"),
        _("件"),
        "cobuilding.matters",
        False,
        "solved",
        seed="003：挂点收集 300 / 解决 240",
    ),
    Figure(
        "liaison_problems",
        _("挂点收集问题"),
        "governance",
        _("本年领导干部、党员干部挂点联系中收集的民生问题数（共建事项中来源为挂点联系的）。"),
        _("件"),
        "cobuilding.matters",
        False,
        "raised",
        seed="003：收集 300 件",
        dim="source:liaison",
        wall=False,
    ),
    Figure(
        "liaison_problems_solved",
        _("挂点问题解决"),
        "governance",
        _("本年挂点联系中收集的民生问题中已解决的件数。"),
        _("件"),
        "cobuilding.matters",
        False,
        "solved",
        seed="003：解决 240 件",
        dim="source:liaison",
        wall=False,
    ),
    Figure(
        "whistles",
        _("吹哨报到"),
        "governance",
        _("本年 1 月 1 日至所选日期吹哨召集部门的次数（含街道上报区级的）。"),
        _("次"),
        "cases.whistles",
        False,
        "whistles",
        trend=True,
    ),
    Figure(
        "whistles_solved",
        _("吹哨解决"),
        "governance",
        _("本年吹哨的诉求中已办结（含回访、归档）的吹哨次数。"),
        _("次"),
        "cases.whistles",
        False,
        "solved",
        seed="001：解决公共需求 2100 多项",
        wall=False,
    ),
    # 保障 --------------------------------------------------------------------------------------
    Figure(
        "workers",
        _("社区工作者"),
        "support",
        _("在岗的社区工作者人数（含书记、两委成员、专职网格员等），时点数。"),
        _("人"),
        "workforce.workers",
        True,
        "workers",
    ),
    Figure(
        "workers_80s_share",
        _("80后占比"),
        "support",
        _("在岗社区工作者中 1980 年及以后出生的占比，时点数。"),
        "%",
        "workforce.workers",
        True,
        "born_1980",
        "workers",
        seed="000：80 后超 40%",
    ),
    Figure(
        "workers_bachelor_share",
        _("本科及以上占比"),
        "support",
        _("在岗社区工作者中本科及以上学历的占比，时点数。"),
        "%",
        "workforce.workers",
        True,
        "bachelor",
        "workers",
        seed="000：本科 70%",
    ),
    Figure(
        "dual_role_share",
        _("书记主任一肩挑"),
        "support",
        _("社区党组织书记中同时担任居委会主任的占比，时点数。"),
        "%",
        "workforce.workers",
        True,
        "dual_role",
        "secretaries",
        seed="004：100%",
    ),
    Figure(
        "orglife_compliance",
        _("组织生活达标率"),
        "support",
        _("本年已开始的组织生活周期（支部党员大会、支委会、党小组会、党课等）中按要求开够次数的占比。"),
        "%",
        "orglife_obligations",
        False,
        "met",
        "periods",
    ),
    Figure(
        "centers",
        _("党群服务中心"),
        "support",
        _("开放中的党群服务中心数（区、街道、社区、小区、园区各级），时点数。"),
        _("个"),
        "centers.centers",
        True,
        "centers",
        seed="000：151 个；001：1426 个五级党群服务中心",
        trend=True,
    ),
    Figure(
        "centers_area_rate",
        _("服务中心面积达标率"),
        "support",
        _("开放中的党群服务中心中面积达到本级阵地建设标准（如社区 500、小区 300 平方米）的占比，时点数。"),
        "%",
        "centers.centers",
        True,
        "area_met",
        "centers",
        seed="001：社区不少于 500、小区不少于 300 平方米",
        wall=False,
    ),
    Figure(
        "centers_standard_rate",
        _("服务中心达标率"),
        "support",
        _("开放中的党群服务中心中面积、必备功能区和“四个规范”全部达标的占比，时点数。"),
        "%",
        "centers.centers",
        True,
        "standard_met",
        "centers",
        seed="004：解决 42 个党群服务中心不达标问题",
        trend=True,
        wall=False,
    ),
    Figure(
        "circle_coverage",
        _("十分钟服务圈小区覆盖率"),
        "support",
        _("已在地图上定位的住宅小区中，步行十分钟（按本区服务圈参数）内有开放的党群服务中心的占比，时点数。"),
        "%",
        "centers.circle",
        True,
        "covered",
        "estates",
        seed="000：全区构建起“十分钟党群服务圈”；003：打造 10 分钟红色服务圈，全覆盖",
        trend=True,
    ),
    Figure(
        "dues_settled_rate",
        _("党费足额交纳率"),
        "support",
        _("本年各月应交党费的党员人次中已足额交纳的占比。"),
        "%",
        "dues.due",
        False,
        "settled",
        "members",
    ),
    Figure(
        "dues_paid",
        _("党费收缴"),
        "support",
        _("本年各月已交纳的党费（不含自愿多交部分）。"),
        _("万元"),
        "dues.paid",
        False,
        "amount",
        scale=1_000_000,
        wall=False,
    ),
    Figure(
        "funds_allocated",
        _("经费拨付"),
        "support",
        _("本年拨付到社区、街道的各类经费（服务群众专项经费、工作经费等）。"),
        _("万元"),
        "funds",
        False,
        "amount",
        scale=1_000_000,
        seed="001：每个社区每年服务群众专项经费不少于 10 万元、工作经费 5 万元",
        dim="flow:allocation",
        wall=False,
    ),
    Figure(
        "funds_paid",
        _("经费支出"),
        "support",
        _("本年社区、街道从各类经费中实际支付的金额。"),
        _("万元"),
        "funds",
        False,
        "amount",
        scale=1_000_000,
        dim="flow:payment",
        wall=False,
    ),
    Figure(
        "fund_floors_met",
        _("经费保底达标率"),
        "support",
        _(
            "各社区、街道按区定的保底规则（如服务群众专项经费每个社区每年不少于10万元、工作经费每年5万元、"
            "党员活动经费按党员人数、街长制工作经费按户数，以本年核定的基数计）本年应拨付的各项经费中，"
            "已拨付达到保底额的占比（时点数：读数日期所在年度当时的情况）。"
        ),
        "%",
        "fund_floors",
        True,
        "met",
        "floors",
        seed=(
            "001：服务群众专项经费每个社区每年不少于 10 万元，工作经费每年 5 万元；"
            "003：党员活动经费每名党员每年 200–400 元"
        ),
        wall=False,
    ),
    Figure(
        "assessment_published",
        _("考评结果公布"),
        "support",
        _("本年考评方案中已公布结果的评分表数（党组织星级评定、书记述职、街长评议等）。"),
        _("份"),
        "assessment.sheets",
        False,
        "published",
        wall=False,
    ),
    Figure(
        "assessment_good_rate",
        _("考评优秀率"),
        "support",
        _("本年已公布的考评结果中等次为“好”的占比。"),
        "%",
        "assessment.sheets",
        False,
        "good",
        "published",
        wall=False,
    ),
)
BY_KEY = {f.key: f for f in FIGURES}


def figures_of(group: str) -> list[Figure]:
    return [f for f in FIGURES if f.group == group]


def subjects_of(figures: list[Figure]) -> list[str]:
    """What a group reads, each once: its figures' subjects (or one dimension value of one)."""
    return sorted({f.reading for f in figures})
