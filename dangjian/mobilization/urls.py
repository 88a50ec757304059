from django.urls import path

from .views import callups, command, field

app_name = "mobilization"
urlpatterns = [
    path("", callups.home, name="home"),
    path("new/", callups.callup_new, name="new"),
    path("<uuid:public_id>/", callups.detail, name="detail"),
    path("<uuid:public_id>/end/", callups.end, name="end"),
    path("<uuid:public_id>/org/", callups.temp_org, name="temp_org"),
    path("<uuid:public_id>/report/", callups.report_pdf, name="report"),
    path("<uuid:public_id>/reply/", field.reply, name="reply"),
    path("<uuid:public_id>/mine/", field.mine, name="mine"),
    path("<uuid:public_id>/answers/", command.answers, name="answers"),
    path("<uuid:public_id>/grids/<uuid:grid_id>/", command.grid, name="grid"),
    path("answers/<uuid:public_id>/", command.answer, name="answer"),
    path("visits/<uuid:public_id>/", field.visit, name="visit"),
    path("visits/<uuid:public_id>/assign/", command.visit_assign, name="visit_assign"),
    path("tasks/<uuid:public_id>/", field.task, name="task"),
    path("task-photos/<int:pk>/", field.task_photo, name="task_photo"),
]
