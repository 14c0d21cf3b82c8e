from django.urls import path

from sessions_app import api, interview_api

urlpatterns = [
    path("sessions", api.SessionListView.as_view(), name="session-list"),
    path("sessions/<str:session_id>", api.SessionDetailView.as_view(), name="session-detail"),
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
