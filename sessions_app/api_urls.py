from django.urls import path

from sessions_app import api

urlpatterns = [
    path("sessions", api.SessionListView.as_view(), name="session-list"),
    path("sessions/<str:session_id>", api.SessionDetailView.as_view(), name="session-detail"),
]
