from django.urls import URLPattern, path

from accounts import api

urlpatterns = [
    path("register", api.RegisterView.as_view(), name="register"),
    path("login", api.LoginView.as_view(), name="login"),
    path("refresh", api.RefreshView.as_view(), name="refresh"),
    path("logout", api.LogoutView.as_view(), name="logout"),
    path("logout-all", api.LogoutAllView.as_view(), name="logout-all"),
    path("password", api.PasswordChangeView.as_view(), name="password-change"),
    path("password-reset", api.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/confirm", api.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("me", api.MeView.as_view(), name="me"),
]

# Mounted at the API's root (/api/v1/me…) by uaip/urls.py: the account as a resource, beside /auth/me.
account_urlpatterns: list[URLPattern] = [
    path("me", api.AccountView.as_view(), name="account"),
    path("me/export", api.AccountExportView.as_view(), name="account-export"),
    path("me/preferences", api.PreferencesView.as_view(), name="account-preferences"),
]
