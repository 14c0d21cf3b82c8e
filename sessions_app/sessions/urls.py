from django.urls import URLPattern, path

from sessions_app.sessions import api, views

urlpatterns: list[URLPattern] = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.create, name="create"),
    path("<str:session_id>/", views.detail, name="detail"),
    path("<str:session_id>/rename/", views.rename, name="rename"),
    path("<str:session_id>/delete/", views.delete, name="delete"),
]

api_urlpatterns: list[URLPattern] = [
    path("sessions", api.SessionListView.as_view(), name="session-list"),
    path("sessions/<str:session_id>", api.SessionDetailView.as_view(), name="session-detail"),
]
