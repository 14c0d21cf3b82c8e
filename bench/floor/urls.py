"""The application's URLs plus two constant-JSON endpoints to measure session detail against.

- ``/api/v1/bench/floor/<session_id>``: a DRF ``APIView`` with session detail's authentication (JWT), permission
  and throttles (``ApiThrottle`` and ``SessionWriteThrottle``, both counted in the same cache), answering the
  same-sized JSON without touching the database beyond authentication.
- ``/bench/floor``: a plain Django view through the same middleware, no DRF, no authentication.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from uaip.ratelimits import ApiThrottle, SessionWriteThrottle
from uaip.urls import urlpatterns as application_urls

CONSTANT = {  # the fields of a session's JSON (SessionOutput), constant values of about the same size
    "session_id": "",
    "user_id": 1,
    "project_name": "Bench floor",
    "description": "A constant answer of about the size of a session's JSON.",
    "status": "in_progress",
    "current_stage": 2,
    "stages_completed": [1],
    "stages_needing_review": [],
    "progress_percent": 20,
    "created_at": "2026-01-01T00:00:00.000000Z",
    "updated_at": "2026-01-01T00:00:00.000000Z",
    "completed_at": None,
}


class DrfFloor(APIView):
    throttle_classes = [ApiThrottle, SessionWriteThrottle]

    def get(self, request: Request, session_id: str) -> Response:
        return Response({**CONSTANT, "session_id": session_id})


def django_floor(request: HttpRequest, **_: Any) -> JsonResponse:
    return JsonResponse(CONSTANT)


urlpatterns = [
    path("api/v1/bench/floor/<str:session_id>", DrfFloor.as_view()),
    path("bench/floor", django_floor),
    *application_urls,
]
