from django.urls import path

from . import figures
from .views import branches, guidance, oversight, records

app_name = "orglife"
urlpatterns = [
    path("", branches.home, name="home"),
    path("branch/<uuid:public_id>/", branches.branch, name="branch"),
    path("branch/<uuid:public_id>/plan/", branches.plan, name="plan"),
    path("branch/<uuid:public_id>/register/<int:year>/", branches.register_pdf, name="register"),
    path("record/<uuid:public_id>/", records.record, name="record"),
    path("record/<uuid:public_id>/step/", records.record_step, name="record_step"),
    path("record/<uuid:public_id>/files/", records.record_files, name="record_files"),
    path("record/<uuid:public_id>/files/<int:pk>/", records.record_file, name="record_file"),
    path("behind/", oversight.behind, name="behind"),
    path("obligations/", oversight.obligations, name="obligations"),
    path("figures/", figures.figures_page, name="figures"),
    path("guidance/", guidance.guidance_list, name="guidance_list"),
    path("guidance/new/", guidance.guidance_new, name="guidance_new"),
    path("guidance/<uuid:public_id>/", guidance.guidance, name="guidance"),
    path("guidance/<uuid:public_id>/publish/", guidance.guidance_publish, name="guidance_publish"),
]
