from django.urls import URLPattern, path, re_path

from sessions_app.charter import api, views

app_name = "charter"
urlpatterns: list[URLPattern] = [
    path("<str:session_id>/charter/", views.charter_page, name="page"),
    path("<str:session_id>/charter/generate/", views.charter_generate, name="generate"),
    path("<str:session_id>/charter/signoffs/", views.charter_sign_off, name="sign_off"),
    path("<str:session_id>/charter/consistency/", views.consistency_check, name="consistency"),
    path("<str:session_id>/charter/runs/<str:run_id>/", views.charter_run_status, name="run_status"),
    path("<str:session_id>/charter/runs/<str:run_id>/cancel/", views.charter_run_cancel, name="run_cancel"),
    path("<str:session_id>/charter/runs/<str:run_id>/retry/", views.charter_run_retry, name="run_retry"),
    path("<str:session_id>/charter/findings/<str:key>/acknowledge/", views.finding_acknowledge, name="acknowledge"),
    re_path(
        r"^(?P<session_id>[^/]+)/charter/download\.(?P<fmt>md|json|pdf|docx|html)$", views.charter_file, name="download"
    ),
]

SESSION = "sessions/<str:session_id>"
api_urlpatterns: list[URLPattern] = [
    re_path(
        r"^sessions/(?P<session_id>[^/]+)/charter\.(?P<fmt>md|json|pdf|docx)$",
        api.CharterDownloadView.as_view(),
        name="charter-download",
    ),
    path(f"{SESSION}/charter", api.CharterView.as_view(), name="charter"),
    path(f"{SESSION}/charter/versions", api.CharterVersionsView.as_view(), name="charter-versions"),
    path(f"{SESSION}/charter/signoffs", api.CharterSignOffsView.as_view(), name="charter-signoffs"),
    path(f"{SESSION}/consistency", api.ConsistencyView.as_view(), name="consistency"),
    path(
        f"{SESSION}/consistency/<str:key>/acknowledge", api.FindingAcknowledgeView.as_view(), name="finding-acknowledge"
    ),
    path(f"{SESSION}/usage", api.UsageView.as_view(), name="session-usage"),
]
