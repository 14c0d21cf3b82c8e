from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from uaip import views

api_v1: list[URLPattern | URLResolver] = [
    path("health", views.health, name="health"),
    path("auth/", include("accounts.api_urls")),
    path("", include("sessions_app.api_urls")),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="sessions:dashboard", permanent=False), name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("sessions/", include("sessions_app.urls")),
    path("sessions/", include("sessions_app.charter.urls", namespace="charter")),
    path("api/v1/", include((api_v1, "api"))),
    path("api-auth/", include("rest_framework.urls")),
]

handler400 = "uaip.views.bad_request"
handler403 = "uaip.views.permission_denied"
handler404 = "uaip.views.page_not_found"
handler500 = "uaip.views.server_error"
