"""Run API: read, cancel and retry one of the user's background runs."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from sessions_app.access import RunScopedAPIView
from sessions_app.runs import services
from sessions_app.runs.serializers import RunOutput
from uaip.api import AUTHENTICATED_ERRORS, errors


class RunView(RunScopedAPIView):
    @extend_schema(responses={200: RunOutput, **errors(404, *AUTHENTICATED_ERRORS)})
    def get(self, request: Request, run_id: str) -> Response:
        """One of your background runs: progress, cost, result."""
        return Response(RunOutput(self.run).data)


class RunCancelView(RunScopedAPIView):
    @extend_schema(
        request=None,
        responses={200: RunOutput, **errors(404, *AUTHENTICATED_ERRORS)},
        description="Stops an active run (its results are discarded); a finished run is returned as it is.",
    )
    def post(self, request: Request, run_id: str) -> Response:
        return Response(RunOutput(services.run_cancel(run=self.run)).data)


class RunRetryView(RunScopedAPIView):
    @extend_schema(
        request=None,
        responses={202: RunOutput, **errors(404, 409, *AUTHENTICATED_ERRORS)},
        description="Starts a failed or cancelled run again, as a new run (409 `run_not_retryable` otherwise).",
    )
    def post(self, request: Request, run_id: str) -> Response:
        return Response(
            RunOutput(services.run_retry(run=self.run, actor=request.user)).data, status=status.HTTP_202_ACCEPTED
        )
