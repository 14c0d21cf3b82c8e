"""Run API: read, cancel and retry one of the user's background runs."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from sessions_app.access import RunScopedAPIView
from sessions_app.runs import services
from sessions_app.runs.serializers import run_json


class RunView(RunScopedAPIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, run_id: str) -> Response:
        return Response(run_json(self.run))


class RunCancelView(RunScopedAPIView):
    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, run_id: str) -> Response:
        return Response(run_json(services.run_cancel(run=self.run)))


class RunRetryView(RunScopedAPIView):
    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, run_id: str) -> Response:
        return Response(run_json(services.run_retry(run=self.run)), status=status.HTTP_202_ACCEPTED)
