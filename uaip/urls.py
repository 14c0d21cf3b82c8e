from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api_urls import account_urlpatterns as account_api_urlpatterns
from accounts.views import LogoutView
from uaip import views

api_v1: list[URLPattern | URLResolver] = [
    path("health", views.health, name="health"),
    path("auth/", include("accounts.api_urls")),
    *account_api_urlpatterns,  # /me and /me/export
    path("", include("sessions_app.api_urls")),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

browsable_api_auth: list[URLPattern | URLResolver] = [
    path("login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="sessions:dashboard", permanent=False), name="home"),
    path("favicon.ico", views.favicon),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("sessions/", include("sessions_app.urls")),
    path("sessions/", include("sessions_app.charter.urls", namespace="charter")),
    path("sessions/", include("sessions_app.team.urls", namespace="team")),
    path("sessions/", include("sessions_app.comments.urls", namespace="comments")),
    path("api/v1/", include((api_v1, "api"))),
    # The browsable API's "Log in" / "Log out" links: the site's own login (one defended login path), no second one.
    path("api-auth/", include((browsable_api_auth, "rest_framework"))),
]

handler400 = "uaip.views.bad_request"
handler403 = "uaip.views.permission_denied"
handler404 = "uaip.views.page_not_found"
handler500 = "uaip.views.server_error"
