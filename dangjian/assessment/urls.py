from django.urls import path

from . import figures
from .views import inspection, reports, schemes, sheets

app_name = "assessment"
urlpatterns = [
    path("", schemes.home, name="home"),
    path("new/", schemes.scheme_new, name="scheme_new"),
    path("scheme/<uuid:public_id>/", schemes.scheme, name="scheme"),
    path("scheme/<uuid:public_id>/action/", schemes.scheme_action, name="scheme_action"),
    path("scheme/<uuid:public_id>/items/", schemes.item_add, name="item_add"),
    path("sheets/", sheets.sheet_list, name="sheets"),
    path("sheet/<uuid:public_id>/", sheets.sheet, name="sheet"),
    path("sheet/<uuid:public_id>/score/", sheets.sheet_score, name="sheet_score"),
    path("sheet/<uuid:public_id>/panel/", sheets.sheet_panel, name="sheet_panel"),
    path("sheet/<uuid:public_id>/chief/", sheets.sheet_chief, name="sheet_chief"),
    path("sheet/<uuid:public_id>/recompute/", sheets.sheet_recompute, name="sheet_recompute"),
    path("sheet/<uuid:public_id>/step/", sheets.sheet_step, name="sheet_step"),
    path("sheet/<uuid:public_id>/files/<int:pk>/", sheets.report_file, name="report_file"),
    path("sheet/<uuid:public_id>/print/", sheets.sheet_pdf, name="sheet_pdf"),
    path("scheme/<uuid:public_id>/draw/", inspection.draw_new, name="draw_new"),
    path("draw/<uuid:public_id>/", inspection.draw, name="draw"),
    path("pick/<uuid:public_id>/", inspection.pick, name="pick"),
    path("finding/<uuid:public_id>/step/", inspection.finding_step, name="finding_step"),
    path("figures/", figures.figures_page, name="figures"),
    path("mine/", reports.mine, name="mine"),
    path("mine/<uuid:public_id>/", reports.report, name="report"),
]
