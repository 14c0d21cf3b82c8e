from django.urls import path, re_path

from sessions_app import api, charter_api, interview_api

urlpatterns = [
    path("sessions", api.SessionListView.as_view(), name="session-list"),
    re_path(
        r"^sessions/(?P<session_id>[^/]+)/charter\.(?P<fmt>md|json|pdf)$",
        charter_api.CharterDownloadView.as_view(),
        name="charter-download",
    ),
    path("sessions/<str:session_id>", api.SessionDetailView.as_view(), name="session-detail"),
    path("sessions/<str:session_id>/charter", charter_api.CharterView.as_view(), name="charter"),
    path(
        "sessions/<str:session_id>/charter/versions", charter_api.CharterVersionsView.as_view(), name="charter-versions"
    ),
    path("sessions/<str:session_id>/charter/approve", charter_api.CharterApproveView.as_view(), name="charter-approve"),
    path("sessions/<str:session_id>/consistency", charter_api.ConsistencyView.as_view(), name="consistency"),
    path(
        "sessions/<str:session_id>/consistency/<str:key>/acknowledge",
        charter_api.FindingAcknowledgeView.as_view(),
        name="finding-acknowledge",
    ),
    path("sessions/<str:session_id>/usage", charter_api.UsageView.as_view(), name="session-usage"),
    path("sessions/<str:session_id>/stages", interview_api.StageListView.as_view(), name="stage-list"),
    path(
        "sessions/<str:session_id>/stages/<int:stage_number>",
        interview_api.StageDetailView.as_view(),
        name="stage-detail",
    ),
    path(
        "sessions/<str:session_id>/stages/<int:stage_number>/answers",
        interview_api.AnswerSubmitView.as_view(),
        name="answer-submit",
    ),
    path(
        "sessions/<str:session_id>/stages/<int:stage_number>/complete",
        interview_api.StageCompleteView.as_view(),
        name="stage-complete",
    ),
    path(
        "sessions/<str:session_id>/stages/<int:stage_number>/concerns/<str:key>/acknowledge",
        interview_api.ConcernAcknowledgeView.as_view(),
        name="concern-acknowledge",
    ),
    path("sessions/<str:session_id>/checkpoints", interview_api.CheckpointListView.as_view(), name="checkpoint-list"),
    path(
        "sessions/<str:session_id>/checkpoints/<str:checkpoint_id>/restore",
        interview_api.CheckpointRestoreView.as_view(),
        name="checkpoint-restore",
    ),
    path("runs/<str:run_id>", interview_api.RunView.as_view(), name="run-detail"),
    path("runs/<str:run_id>/cancel", interview_api.RunCancelView.as_view(), name="run-cancel"),
    path("runs/<str:run_id>/retry", interview_api.RunRetryView.as_view(), name="run-retry"),
]
