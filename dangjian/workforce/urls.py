from django.urls import path

from .views import figures, ladders, register, reserve, stepup, training

app_name = "workforce"
urlpatterns = [
    path("", register.home, name="home"),
    path("mine/", register.mine, name="mine"),
    path("workers/new/", register.worker_new, name="worker_new"),
    path("workers/<uuid:public_id>/", register.worker_detail, name="worker"),
    path("workers/<uuid:public_id>/edit/", register.worker_edit, name="worker_edit"),
    path("workers/<uuid:public_id>/record.pdf", register.worker_pdf, name="worker_pdf"),
    path("workers/<uuid:public_id>/reveal/<slug:field>/", register.worker_reveal, name="worker_reveal"),
    path("workers/<uuid:public_id>/<slug:action>/", register.worker_act, name="worker_act"),
    path("figures/", figures.figures, name="figures"),
    path("ladders/", ladders.ladder_list, name="ladders"),
    path("ladders/new/", ladders.ladder_new, name="ladder_new"),
    path("ladders/<uuid:public_id>/", ladders.ladder_detail, name="ladder"),
    path("ladders/<uuid:public_id>/whatif/", ladders.whatif, name="whatif"),
    path("ladders/<uuid:public_id>/<slug:action>/", ladders.ladder_act, name="ladder_act"),
    path("stepup/", stepup.run_list, name="runs"),
    path("stepup/start/", stepup.run_start, name="run_start"),
    path("stepup/<uuid:public_id>/", stepup.run_detail, name="run"),
    path("stepup/<uuid:public_id>/progress/", stepup.run_progress, name="run_progress"),
    path("proposals/<uuid:public_id>/", stepup.proposal_act, name="proposal_act"),
    path("reserve/", reserve.reserve_list, name="reserve"),
    path("reserve/new/", reserve.candidate_new, name="candidate_new"),
    path("reserve/<uuid:public_id>/", reserve.candidate_detail, name="candidate"),
    path("training/", training.course_list, name="courses"),
    path("training/new/", training.course_new, name="course_new"),
    path("training/hours/", training.hours, name="hours"),
    path("training/<uuid:public_id>/", training.course_detail, name="course"),
    path("sessions/<uuid:public_id>/", training.session_detail, name="session"),
    path("sessions/<uuid:public_id>/qr/", training.session_qr, name="session_qr"),
    path("sessions/<uuid:public_id>/record/", training.session_record, name="session_record"),
    path("checkin/<str:token>/", training.scan, name="scan"),
]
