from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from dangjian.core.views import healthz

admin.site.site_header = "党建引领基层治理 · 管理后台"
admin.site.site_title = "管理后台"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", include("dangjian.dashboard.urls")),
    path("healthz", healthz, name="healthz"),
    path("accounts/signup/", RedirectView.as_view(pattern_name="people:signup", permanent=False)),
    path("accounts/", include("dangjian.accounts.urls")),
    path("territory/", include("dangjian.territory.urls")),
    path("orgs/", include("dangjian.orgs.urls")),
    path("people/", include("dangjian.people.urls")),
    path("registration/", include("dangjian.registration.urls")),
    path("units/", include("dangjian.units.urls")),
    path("imports/", include("dangjian.imports.urls")),
    path("centers/", include("dangjian.centers.urls")),
    path("nearby/", include("dangjian.centers.public_urls")),
    path("cases/", include("dangjian.cases.urls")),
    path("demands/", include("dangjian.demands.urls")),
    path("volunteering/", include("dangjian.volunteering.urls")),
    path("timebank/", include("dangjian.timebank.urls")),
    path("points/", include("dangjian.points.urls")),
    path("open311/v2/", include("dangjian.open311.urls")),
    path("audit/", include("dangjian.audit.urls")),
    path("messages/", include("dangjian.notifications.urls")),
    path("notices/", include("dangjian.notices.urls")),
    path("meetings/", include("dangjian.meetings.urls")),
    path("deliberation/", include("dangjian.deliberation.urls")),
    path("funds/", include("dangjian.funds.urls")),
    path("projects/", include("dangjian.microprojects.urls")),
    path("orglife/", include("dangjian.orglife.urls")),
    path("dues/", include("dangjian.dues.urls")),
    path("recruitment/", include("dangjian.recruitment.urls")),
    path("cobuilding/", include("dangjian.cobuilding.urls")),
    path("mobilization/", include("dangjian.mobilization.urls")),
    path("workforce/", include("dangjian.workforce.urls")),
    path("assessment/", include("dangjian.assessment.urls")),
    path("duties/", include("dangjian.duties.urls")),
    path("cockpit/", include("dangjian.cockpit.urls")),
    path("api/", include("dangjian.api.urls")),
    path("captcha/", include("captcha.urls")),
    path("admin/", admin.site.urls),
]
