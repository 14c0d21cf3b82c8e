from django.urls import URLPattern, path

from sessions_app.runs import api

api_urlpatterns: list[URLPattern] = [
    path("runs/<str:run_id>", api.RunView.as_view(), name="run-detail"),
    path("runs/<str:run_id>/cancel", api.RunCancelView.as_view(), name="run-cancel"),
    path("runs/<str:run_id>/retry", api.RunRetryView.as_view(), name="run-retry"),
]
