"""The cockpit's queue work (huey finds each app's tasks module): the monthly report's."""

from .report.tasks import report_generate_task, reports_monthly, reports_sweep

__all__ = ["report_generate_task", "reports_monthly", "reports_sweep"]
