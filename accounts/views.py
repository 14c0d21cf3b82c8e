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
from uaip.ratelimits import count_registration


@sensitive_post_parameters("password", "password_confirm")
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("sessions:dashboard")
    form = RegisterForm(request.POST or None)
    if request.method == "POST":
        count_registration(request, request.POST.get("email", ""))
        if form.is_valid() and (user := form.save()) is not None:
            login(request, user, backend="accounts.backends.EmailBackend")
            messages.success(request, "Welcome to UAIP. Start by creating your first scoping session.")
            return redirect("sessions:dashboard")
    return render(request, "accounts/register.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You are logged out.")
        return response
