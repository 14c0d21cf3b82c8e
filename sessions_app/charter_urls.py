from django.urls import path, re_path

from sessions_app import charter_views

app_name = "charter"
urlpatterns = [
    path("<str:session_id>/charter/", charter_views.charter_page, name="page"),
    path("<str:session_id>/charter/generate/", charter_views.charter_generate, name="generate"),
    path("<str:session_id>/charter/approve/", charter_views.charter_approve, name="approve"),
    path("<str:session_id>/charter/consistency/", charter_views.consistency_check, name="consistency"),
    path("<str:session_id>/charter/runs/<str:run_id>/", charter_views.charter_run_status, name="run_status"),
    re_path(
        r"^(?P<session_id>[^/]+)/charter/runs/(?P<run_id>[^/]+)/(?P<action>cancel|retry)/$",
        charter_views.charter_run_action,
        name="run_action",
    ),
    path(
        "<str:session_id>/charter/findings/<str:key>/acknowledge/",
        charter_views.finding_acknowledge,
        name="acknowledge",
    ),
    re_path(
        r"^(?P<session_id>[^/]+)/charter/download\.(?P<fmt>md|json|pdf|html)$",
        charter_views.charter_file,
        name="download",
    ),
]
