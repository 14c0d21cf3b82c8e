from django.urls import path

from accounts import account_views, views

app_name = "accounts"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # The account page and what it offers (accounts/account_views.py).
    path("", account_views.account, name="account"),
    path("password/", account_views.password_change, name="password_change"),
    path("logout-all/", account_views.logout_all, name="logout_all"),
    path("export/", account_views.export, name="export"),
    path("delete/", account_views.delete, name="delete"),
    path("preferences/", account_views.preferences, name="preferences"),
    path("password-reset/", account_views.password_reset, name="password_reset"),
    path("password-reset/sent/", account_views.password_reset_sent, name="password_reset_sent"),
    path("reset/<str:uidb64>/<str:token>/", account_views.password_reset_confirm, name="password_reset_confirm"),
]
