from django.urls import path

from .views import figures, phone, projects, public

app_name = "microprojects"
urlpatterns = [
    path("", projects.project_list, name="list"),
    path("new/", projects.project_new, name="new"),
    path("figures/", figures.figures, name="figures"),
    path("propose/", phone.propose, name="propose"),
    path("mine/", phone.mine, name="mine"),
    path("claims/", phone.claim_board, name="claims"),
    path("photos/<uuid:public_id>/", projects.photo, name="photo"),
    path("<uuid:public_id>/", projects.project_detail, name="detail"),
    path("<uuid:public_id>/dossier.pdf", projects.project_pdf, name="pdf"),
    path("<uuid:public_id>/claim/", phone.claim_new, name="claim"),
    path("<uuid:public_id>/vote/", phone.vote, name="vote"),
    path("<uuid:public_id>/<slug:action>/", projects.project_act, name="act"),
    path("board/<str:code>/", public.board, name="board"),
    path("board/<str:code>/<uuid:public_id>/", public.board_project, name="board_project"),
    path("board/<str:code>/<uuid:public_id>/photos/<uuid:photo>/", public.board_photo, name="board_photo"),
]
