"""API URLs under /api/v1/: each feature's ``api_urlpatterns``."""

from django.urls import URLPattern

from sessions_app.charter import urls as charter_urls
from sessions_app.comments import urls as comments_urls
from sessions_app.interview import urls as interview_urls
from sessions_app.runs import urls as runs_urls
from sessions_app.sessions import urls as sessions_urls
from sessions_app.team import urls as team_urls

urlpatterns: list[URLPattern] = [
    *charter_urls.api_urlpatterns,  # first: "charter.md" must not be taken for a session id
    *sessions_urls.api_urlpatterns,
    *interview_urls.api_urlpatterns,
    *runs_urls.api_urlpatterns,
    *team_urls.api_urlpatterns,
    *comments_urls.api_urlpatterns,
]
