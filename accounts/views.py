"""Register, log in and log out pages (session authentication, CSRF-protected)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters

from accounts.forms import LoginForm, RegisterForm
from uaip.ratelimits import client_ip, enforce


def _count_auth_attempt(request: HttpRequest, email: str) -> None:
    """Login and register share the per-IP and per-address limits with the API."""
    enforce(request, limit_name="auth_ip", key=lambda group, req: f"ip:{client_ip(req)}")
    normalized = email.strip().lower()
    enforce(request, limit_name="auth_email", key=lambda group, req: f"email:{normalized}")


@sensitive_post_parameters("password", "password_confirm")
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("sessions:dashboard")
    form = RegisterForm(request.POST or None)
    if request.method == "POST":
        _count_auth_attempt(request, request.POST.get("email", ""))
        if form.is_valid() and (user := form.save()) is not None:
            login(request, user, backend="accounts.backends.EmailBackend")
            messages.success(request, "Welcome to UAIP. Start by creating your first scoping session.")
            return redirect("sessions:dashboard")
    return render(request, "accounts/register.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _count_auth_attempt(request, request.POST.get("username", ""))
        return super().post(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You are logged out.")
        return response
