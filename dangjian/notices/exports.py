"""Excel export of who has not signed a notice: through imports.exports.export_response (one 导出 audit
row; the mobile number masked, as every list shows it)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.imports.exports import ExportColumn, export_response

from . import selectors
from .models import Notice


def _time(value: Any) -> Any:
    return value or ""


UNSIGNED_COLUMNS = [
    ExportColumn(gettext_lazy("姓名"), lambda r: r.user.full_name or r.user.username, width=12),
    ExportColumn(gettext_lazy("所在单位"), lambda r: r.place, width=24),
    ExportColumn(gettext_lazy("手机号"), lambda r: r.user.mobile or "", personal="mobile", width=14),
    ExportColumn(gettext_lazy("状态"), lambda r: r.get_state_display(), width=12),
    ExportColumn(gettext_lazy("送达时间"), lambda r: r.delivered_at, width=18),
    ExportColumn(gettext_lazy("阅读时间"), lambda r: _time(r.read_at), width=18),
    ExportColumn(gettext_lazy("提醒次数"), lambda r: r.reminder_count, width=10),
]


def unsigned_export_response(*, request: Any, notice: Notice):
    rows = selectors.receipts(notice, show="unsigned").order_by(*selectors.RECEIPT_ORDERING)
    return export_response(
        request=request,
        queryset_or_rows=rows,
        columns=UNSIGNED_COLUMNS,
        filename=_("未签收名单"),
        actor=request.user,
        object_type="notices.receipts",
        filters={"notice": str(notice.public_id), "title": notice.title},
        area_path=notice.area_path,
    )
