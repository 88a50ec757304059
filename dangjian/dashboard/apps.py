from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dangjian.dashboard"
    verbose_name = _("工作台")

    def ready(self):
        # Each domain registers what it puts into 今日待办.
        from dangjian.accounts import todo as accounts_todo  # noqa: F401
        from dangjian.cases import todo as cases_todo  # noqa: F401
        from dangjian.centers import todo as centers_todo  # noqa: F401
        from dangjian.demands import todo as demands_todo  # noqa: F401
        from dangjian.orgs import todo as orgs_todo  # noqa: F401
        from dangjian.people import todo as people_todo  # noqa: F401
        from dangjian.registration import todo as registration_todo  # noqa: F401
        from dangjian.territory import todo as territory_todo  # noqa: F401
