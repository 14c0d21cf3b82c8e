from django.urls import URLPattern, path, re_path

from sessions_app.comments import api, views

app_name = "comments"
SESSION = "<str:session_id>"
urlpatterns: list[URLPattern] = [
    path(f"{SESSION}/comments/", views.panel, name="panel"),
    path(f"{SESSION}/comments/new/", views.thread_start, name="start"),
    path(f"{SESSION}/comments/<str:thread_id>/reply/", views.thread_reply, name="reply"),
    path(f"{SESSION}/comments/<str:thread_id>/resolve/", views.thread_resolve, name="resolve"),
    path(f"{SESSION}/comments/<str:thread_id>/reopen/", views.thread_reopen, name="reopen"),
]

api_urlpatterns: list[URLPattern] = [
    path("sessions/<str:session_id>/comments", api.ThreadsView.as_view(), name="comment-threads"),
    path(
        "sessions/<str:session_id>/comments/<str:thread_id>/replies",
        api.ThreadRepliesView.as_view(),
        name="comment-replies",
    ),
    re_path(
        r"^sessions/(?P<session_id>[^/]+)/comments/(?P<thread_id>[^/]+)/(?P<action>resolve|reopen)$",
        api.ThreadStateView.as_view(),
        name="comment-thread-state",
    ),
]
