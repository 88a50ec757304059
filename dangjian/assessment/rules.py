"""The default lists of a new scheme (data: the district edits the items of its own scheme), after the
seeds: 两方案三清单 (任务清单, 责任清单, 考核清单, scored at the year's end, 004), 抓城市党建工作责任清单
with 述职评议考核 (002), 四个一 模范支部测评 (一张清单、一套标准、一次测评、一批典型, 004), and 街长制's
appraisal of the stationed departments (the 街长 has the say in it, 001)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import BRANCHES, COMMITTEES, OrgType

from .models import ListKind, SchemeKind, Source

L, S = ListKind, Source

# (list, name, weight, source, metric, evidence) per line of a kind's default lists
DEFAULT_ITEMS: dict[str, list[tuple[str, Any, int, str, str, Any]]] = {
    SchemeKind.RESPONSIBILITY: [
        (L.TASK, _("落实“三会一课”等组织生活制度"), 15, S.AUTO, "orglife_meetings", _("组织生活记录")),
        (L.TASK, _("接诉即办按期办结"), 15, S.AUTO, "cases_on_time", ""),
        (L.TASK, _("群众点单需求办结"), 10, S.AUTO, "demands_done", ""),
        (L.RESPONSIBILITY, _("驻区单位共建契约履约"), 10, S.AUTO, "covenants_kept", _("共建契约及履约记录")),
        (L.RESPONSIBILITY, _("服务群众专项经费使用"), 10, S.AUTO, "funds_spent", _("经费台账")),
        (L.RESPONSIBILITY, _("整顿软弱涣散党组织"), 10, S.AUTO, "weak_org", ""),
        (L.RESPONSIBILITY, _("党群服务阵地建设与党建责任落实"), 10, S.MANUAL, "", _("台账、照片")),
        (L.ASSESSMENT, _("书记抓基层党建述职评议"), 20, S.PANEL, "", _("述职报告")),
    ],
    SchemeKind.MODEL_BRANCH: [
        (L.TASK, _("一张清单：年度创建任务清单完成"), 20, S.MANUAL, "", _("创建任务清单及完成情况")),
        (L.TASK, _("按期开展“三会一课”"), 30, S.AUTO, "orglife_meetings", _("组织生活记录")),
        (L.RESPONSIBILITY, _("一套标准：对照模范支部标准"), 20, S.MANUAL, "", _("对照检查材料")),
        (L.RESPONSIBILITY, _("未列入软弱涣散党组织"), 10, S.AUTO, "weak_org", ""),
        (L.ASSESSMENT, _("一次测评：支部书记述职测评"), 20, S.PANEL, "", _("述职报告")),
    ],
    # 街长制: the street chief has the say in the appraisal of the stationed departments (001)
    SchemeKind.DEPARTMENT: [
        (L.TASK, _("派单响应：签收承办，不推诿退回"), 20, S.AUTO, "dept_response", ""),
        (L.TASK, _("接诉即办按期办结"), 30, S.AUTO, "dept_on_time", ""),
        (L.RESPONSIBILITY, _("群众满意度（回访评价）"), 20, S.AUTO, "dept_satisfaction", ""),
        (L.ASSESSMENT, _("街长评分"), 30, S.CHIEF, "", _("街长日常指挥调度记录")),
    ],
}

# Which organizations a scheme of each kind assesses.
ORG_TYPES = {
    SchemeKind.RESPONSIBILITY: {OrgType.WORKING_COMMITTEE, *COMMITTEES},
    SchemeKind.MODEL_BRANCH: set(BRANCHES),
    SchemeKind.DEPARTMENT: set(),  # assesses departments (services.schemes.departments_assessed)
}


def default_items(kind: str) -> list[dict]:
    return [
        {
            "order": i,
            "list_kind": lk,
            "name": str(name),
            "weight": Decimal(weight),
            "source": source,
            "metric": metric,
            "evidence": str(evidence),
        }
        for i, (lk, name, weight, source, metric, evidence) in enumerate(DEFAULT_ITEMS[SchemeKind(kind)], start=1)
    ]
