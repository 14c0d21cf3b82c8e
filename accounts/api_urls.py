from django.urls import path

from accounts import api

urlpatterns = [
    path("register", api.RegisterView.as_view(), name="register"),
    path("login", api.LoginView.as_view(), name="login"),
    path("refresh", api.RefreshView.as_view(), name="refresh"),
    path("logout", api.LogoutView.as_view(), name="logout"),
    path("me", api.MeView.as_view(), name="me"),
]
