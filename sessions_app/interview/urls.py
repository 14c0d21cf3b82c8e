from django.urls import URLPattern, path

from sessions_app.interview import api, views

STAGE = "<str:session_id>/stages/<int:stage_number>"
urlpatterns: list[URLPattern] = [
    path(f"{STAGE}/", views.stage_page, name="stage"),
    path(f"{STAGE}/answers/", views.answer_submit, name="answer_submit"),
    path(f"{STAGE}/complete/", views.stage_complete, name="stage_complete"),
    path(f"{STAGE}/answers/group/", views.answers_group_submit, name="answers_group_submit"),
    path(f"{STAGE}/groups/<str:group_key>/items/<int:item>/remove/", views.item_remove, name="item_remove"),
    path(f"{STAGE}/next/", views.next_unanswered, name="next_unanswered"),
    path(f"{STAGE}/questions/<str:question_id>/example/", views.adapted_example, name="adapted_example"),
    path(f"{STAGE}/concerns/<str:key>/acknowledge/", views.concern_acknowledge, name="concern_acknowledge"),
    path(f"{STAGE}/checkpoints/<str:checkpoint_id>/restore/", views.checkpoint_restore, name="checkpoint_restore"),
    path("<str:session_id>/recheck/", views.stages_recheck, name="stages_recheck"),
    path("<str:session_id>/runs/<str:run_id>/", views.run_status, name="run_status"),
    path("<str:session_id>/runs/<str:run_id>/cancel/", views.run_cancel, name="run_cancel"),
    path("<str:session_id>/runs/<str:run_id>/retry/", views.run_retry, name="run_retry"),
]

API_STAGE = "sessions/<str:session_id>/stages/<int:stage_number>"
api_urlpatterns: list[URLPattern] = [
    path("sessions/<str:session_id>/stages", api.StageListView.as_view(), name="stage-list"),
    path(API_STAGE, api.StageDetailView.as_view(), name="stage-detail"),
    path(f"{API_STAGE}/answers", api.AnswerSubmitView.as_view(), name="answer-submit"),
    path(f"{API_STAGE}/answers/batch", api.AnswerBatchView.as_view(), name="answer-batch"),
    path(f"{API_STAGE}/groups/<str:group_key>/items/<int:item>", api.GroupItemView.as_view(), name="group-item"),
    path(f"{API_STAGE}/complete", api.StageCompleteView.as_view(), name="stage-complete"),
    path(
        f"{API_STAGE}/questions/<str:question_id>/example",
        api.AdaptedExampleView.as_view(),
        name="adapted-example",
    ),
    path(
        f"{API_STAGE}/concerns/<str:key>/acknowledge",
        api.ConcernAcknowledgeView.as_view(),
        name="concern-acknowledge",
    ),
    path("sessions/<str:session_id>/recheck", api.StagesRecheckView.as_view(), name="stages-recheck"),
    path("sessions/<str:session_id>/checkpoints", api.CheckpointListView.as_view(), name="checkpoint-list"),
    path(
        "sessions/<str:session_id>/checkpoints/<str:checkpoint_id>/restore",
        api.CheckpointRestoreView.as_view(),
        name="checkpoint-restore",
    ),
]
