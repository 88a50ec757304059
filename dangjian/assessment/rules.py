"""The default lists of a new scheme (data: the district edits the items of its own scheme), after the
seeds: 两方案三清单 (任务清单, 责任清单, 考核清单, scored at the year's end, 004), 抓城市党建工作责任清单
with 述职评议考核 (002), and 四个一 模范支部测评 (一张清单、一套标准、一次测评、一批典型, 004)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import BRANCHES, COMMITTEES, OrgType

from .models import ListKind, SchemeKind, Source

L, S = ListKind, Source

DEFAULT_ITEMS = {
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
}

# Which organizations a scheme of each kind assesses.
ORG_TYPES = {
    SchemeKind.RESPONSIBILITY: {OrgType.WORKING_COMMITTEE, *COMMITTEES},
    SchemeKind.MODEL_BRANCH: set(BRANCHES),
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
