from django.urls import path

from .views import boards, committees, covenants, estates, figures, liaisons, tasks

app_name = "cobuilding"
urlpatterns = [
    path("", boards.home, name="home"),
    path("boards/new/", boards.board_new, name="board_new"),
    path("boards/<uuid:public_id>/", boards.board, name="board"),
    path("boards/<uuid:public_id>/members/", boards.board_member, name="board_member"),
    path("boards/<uuid:public_id>/call/", boards.meeting_call, name="meeting_call"),
    path("meetings/<uuid:public_id>/", boards.meeting, name="meeting"),
    path("meetings/<uuid:public_id>/matters/", boards.matter_raise, name="matter_raise"),
    path("matters/<uuid:public_id>/", boards.matter, name="matter"),
    path("matters/<uuid:public_id>/<slug:action>/", boards.matter_route, name="matter_route"),
    path("tasks/", tasks.task_list, name="tasks"),
    path("tasks/<uuid:public_id>/", tasks.task, name="task"),
    path("tasks/<uuid:public_id>/<slug:step>/", tasks.task_act, name="task_act"),
    path("covenants/", covenants.covenant_list, name="covenants"),
    path("covenants/new/", covenants.covenant_new, name="covenant_new"),
    path("covenants/<uuid:public_id>/", covenants.covenant, name="covenant"),
    path("covenants/<uuid:public_id>/resources/", covenants.resource_add, name="resource_add"),
    path("covenants/<uuid:public_id>/visits/", covenants.visit_new, name="visit_new"),
    path("liaisons/", liaisons.liaison_list, name="liaisons"),
    path("liaisons/mine/", liaisons.mine, name="mine"),
    path("liaisons/<uuid:public_id>/", liaisons.liaison, name="liaison"),
    path("liaisons/<uuid:public_id>/checkin/", liaisons.checkin, name="checkin"),
    path("liaisons/<uuid:public_id>/problems/", liaisons.problem, name="problem"),
    path("liaisons/<uuid:public_id>/group/", liaisons.group_add, name="group_add"),
    path("estates/", estates.estate_list, name="estates"),
    path("estates/<uuid:public_id>/", estates.estate, name="estate"),
    path("estates/<uuid:public_id>/save/", estates.estate_save, name="estate_save"),
    path("estates/<uuid:public_id>/meeting/", estates.estate_meeting, name="estate_meeting"),
    path("committees/", committees.committee_list, name="committees"),
    path("committees/<uuid:public_id>/", committees.committee, name="committee"),
    path("committees/<uuid:public_id>/members/<uuid:member_id>/", committees.adjunct_act, name="adjunct_act"),
    path("committees/<uuid:public_id>/meeting/", committees.committee_meeting, name="committee_meeting"),
    path("figures/", figures.figures, name="figures"),
]
