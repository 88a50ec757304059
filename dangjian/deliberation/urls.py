from django.urls import path

from .views import councils, figures, links, public, runs, topics

app_name = "deliberation"
urlpatterns = [
    path("", councils.home, name="home"),
    path("councils/new/", councils.council_new, name="council_new"),
    path("councils/<uuid:public_id>/", councils.council_detail, name="council"),
    path("councils/<uuid:public_id>/<slug:action>/", councils.council_act, name="council_act"),
    path("councils/<uuid:public_id>/reps/<uuid:rep>/household/", councils.rep_household, name="rep_household"),
    path("representatives/", councils.representative_list, name="representatives"),
    path("topics/", topics.topic_list, name="topics"),
    path("topics/new/", topics.topic_new, name="topic_new"),
    path("topics/<uuid:public_id>/", topics.topic_detail, name="topic"),
    path("topics/<uuid:public_id>/act/", topics.topic_act, name="topic_act"),
    path("topics/<uuid:public_id>/link/<slug:target>/", links.link_new, name="topic_link"),
    path("runs/", runs.run_list, name="runs"),
    path("runs/new/", runs.run_new, name="run_new"),
    path("runs/<uuid:public_id>/", runs.run_detail, name="run"),
    path("runs/<uuid:public_id>/record.pdf", runs.run_pdf, name="run_pdf"),
    path("runs/<uuid:public_id>/<slug:action>/", runs.run_act, name="run_act"),
    path("runs/<uuid:public_id>/matters/<int:matter>/<slug:target>/", links.link_new, name="run_link"),
    path("figures/", figures.figures, name="figures"),
    path("board/<str:code>/", public.board, name="board"),
    path("board/<str:code>/<uuid:public_id>/ask/", public.ask, name="ask"),
]
