"""The account page (change password, log out everywhere, export, delete) and the password-reset pages.

Plain forms that post and redirect: everything works without JavaScript. The services in ``accounts.services``
do the work, shared with the API.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.account_forms import (
    AccountDeleteForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    SetPasswordForm,
    add_service_errors,
)
from accounts.models import User
from accounts.selectors import account_export
from uaip.ratelimits import by_ip, enforce

ACCOUNT_TEMPLATE = "accounts/account.html"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _count_reset_attempt(request: HttpRequest) -> None:
    enforce(request, limit_name="password_reset_ip", key=by_ip)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, ACCOUNT_TEMPLATE, {"password_form": PasswordChangeForm()})


@login_required
@require_POST
@sensitive_post_parameters("current_password", "new_password", "new_password_confirm")
def password_change(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    enforce(request, limit_name="account_password")
    form = PasswordChangeForm(request.POST)
    if form.is_valid():
        try:
            services.password_change(
                user=user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            update_session_auth_hash(request, user)  # this browser stays logged in; every other one is out
            messages.success(request, "Your password is changed. You are logged out on every other device.")
            return redirect("accounts:account")
    return render(request, ACCOUNT_TEMPLATE, {"password_form": form}, status=400)


@login_required
@require_POST
def logout_all(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    services.user_logout_everywhere(user=user)
    update_session_auth_hash(request, user)
    messages.success(request, "You are logged out everywhere else: other browsers, apps and API tokens.")
    return redirect("accounts:account")


@login_required
def export(request: HttpRequest) -> HttpResponse:
    body = json.dumps(account_export(user=_user(request)), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="uaip-export-{timezone.now():%Y-%m-%d}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password")
def delete(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST":
        enforce(request, limit_name="account_password")
        if form.is_valid():
            try:
                services.account_delete(user=user, password=form.cleaned_data["password"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                logout(request)
                messages.success(request, "Your account and all its sessions are deleted.")
                return redirect("accounts:login")
        return render(request, "accounts/account_delete.html", {"form": form}, status=400)
    return render(request, "accounts/account_delete.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST":
        _count_reset_attempt(request)
        if form.is_valid():
            email = form.cleaned_data["email"].strip().lower()
            enforce(request, limit_name="password_reset_email", key=lambda group, req: f"email:{email}")
            services.password_reset_request(email=email, base_url=request.build_absolute_uri("/"))
            return redirect("accounts:password_reset_sent")  # the same answer whether the address is known or not
        return render(request, "accounts/password_reset.html", {"form": form}, status=400)
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_sent.html")


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("new_password", "new_password_confirm")
def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    if services.password_reset_user(uidb64=uidb64, token=token) is None:
        return render(request, "accounts/password_reset_confirm.html", {"valid_link": False}, status=400)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST":
        _count_reset_attempt(request)
        if form.is_valid():
            try:
                services.password_reset_confirm(
                    uidb64=uidb64, token=token, new_password=form.cleaned_data["new_password"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc, {"token": "__all__"})
            else:
                if request.user.is_authenticated:
                    logout(request)  # whoever was logged in here, the account's sessions have just ended
                messages.success(request, "Your password is set. Log in with it now.")
                return redirect("accounts:login")
        return render(request, "accounts/password_reset_confirm.html", {"form": form, "valid_link": True}, status=400)
    return render(request, "accounts/password_reset_confirm.html", {"form": form, "valid_link": True})


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    """Switch a preference (``focus_mode=on|off``) and go back to the page that asked (a local ``next`` only)."""
    if "focus_mode" in request.POST:
        services.preferences_update(user=_user(request), focus_mode=request.POST["focus_mode"] == "on")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = "/"
    return redirect(target)
