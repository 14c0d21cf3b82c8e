"""Page URLs under /sessions/: the scoping sessions and the interview share the ``sessions`` namespace."""

from django.urls import URLPattern

from sessions_app.interview import urls as interview_urls
from sessions_app.sessions import urls as sessions_urls

app_name = "sessions"
urlpatterns: list[URLPattern] = [*sessions_urls.urlpatterns, *interview_urls.urlpatterns]
