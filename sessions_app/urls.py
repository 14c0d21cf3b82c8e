from django.urls import path

from sessions_app import views

app_name = "sessions"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.create, name="create"),
    path("<str:session_id>/", views.detail, name="detail"),
    path("<str:session_id>/rename/", views.rename, name="rename"),
    path("<str:session_id>/delete/", views.delete, name="delete"),
]
