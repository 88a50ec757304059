from django.urls import path

from .views import admission, lists, tasks

app_name = "duties"

urlpatterns = [
    path("", lists.home, name="home"),
    path("lists/new/", lists.list_new, name="list_new"),
    path("lists/<uuid:public_id>/", lists.list_detail, name="list"),
    path("lists/<uuid:public_id>/draft/", lists.draft_new, name="draft_new"),
    path("versions/<uuid:public_id>/", lists.version, name="version"),
    path("versions/<uuid:public_id>/enact/", lists.version_enact, name="version_enact"),
    path("versions/<uuid:public_id>/print.pdf", lists.version_pdf, name="version_pdf"),
    path("entries/<uuid:public_id>/", lists.entry_edit, name="entry_edit"),
    path("admission/", admission.admissions, name="admissions"),
    path("admission/new/", admission.admission_new, name="admission_new"),
    path("admission/<uuid:public_id>/", admission.admission, name="admission"),
    path("admission/<uuid:public_id>/to-draft/", admission.admission_to_draft, name="admission_to_draft"),
    path("admission/<uuid:public_id>/<str:step>/", admission.admission_decide, name="admission_decide"),
    path("tasks/", tasks.tasks, name="tasks"),
    path("tasks/new/", tasks.task_new, name="task_new"),
    path("tasks/<uuid:public_id>/", tasks.task, name="task"),
    path("tasks/<uuid:public_id>/<str:step>/", tasks.task_act, name="task_act"),
    path("inbox/", tasks.inbox, name="inbox"),
    path("replies/<uuid:public_id>/", tasks.reply, name="reply"),
]
