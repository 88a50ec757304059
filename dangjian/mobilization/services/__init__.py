"""Every write of 应急动员, by sub-area: call-ups and their fan-out (callups), answers and placements
(placement), shifts, tasks and hours (command), the visit list and its needs (visits), the temporary
Party organization (temp_org). Keyword-only; each one transaction."""

from .callups import callup_end, callup_issue, fanout_batch, fanout_run, fanouts_resume
from .command import call_hours_refresh, duty_assign, duty_shift_create, task_create, task_report
from .placement import call_answer, placement_confirm, placement_move
from .temp_org import temp_org_create, temp_org_meeting
from .visits import need_met, visit_assign, visit_excuse, visit_list_build, visit_record

__all__ = [
    "call_answer",
    "call_hours_refresh",
    "callup_end",
    "callup_issue",
    "duty_assign",
    "duty_shift_create",
    "fanout_batch",
    "fanout_run",
    "fanouts_resume",
    "need_met",
    "placement_confirm",
    "placement_move",
    "task_create",
    "task_report",
    "temp_org_create",
    "temp_org_meeting",
    "visit_assign",
    "visit_excuse",
    "visit_list_build",
    "visit_record",
]
