from django.urls import path

from sessions_app import interview_views, views

app_name = "sessions"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.create, name="create"),
    path("<str:session_id>/", views.detail, name="detail"),
    path("<str:session_id>/rename/", views.rename, name="rename"),
    path("<str:session_id>/delete/", views.delete, name="delete"),
    # The interview (sessions_app/interview_views.py)
    path("<str:session_id>/stages/<int:stage_number>/", interview_views.stage_page, name="stage"),
    path("<str:session_id>/stages/<int:stage_number>/answers/", interview_views.answer_submit, name="answer_submit"),
    path("<str:session_id>/stages/<int:stage_number>/complete/", interview_views.stage_complete, name="stage_complete"),
    path(
        "<str:session_id>/stages/<int:stage_number>/concerns/<str:key>/acknowledge/",
        interview_views.concern_acknowledge,
        name="concern_acknowledge",
    ),
    path(
        "<str:session_id>/stages/<int:stage_number>/checkpoints/<str:checkpoint_id>/restore/",
        interview_views.checkpoint_restore,
        name="checkpoint_restore",
    ),
    path("<str:session_id>/runs/<str:run_id>/", interview_views.run_status, name="run_status"),
    path("<str:session_id>/runs/<str:run_id>/cancel/", interview_views.run_cancel, name="run_cancel"),
    path("<str:session_id>/runs/<str:run_id>/retry/", interview_views.run_retry, name="run_retry"),
]
