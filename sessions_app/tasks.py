"""Background tasks (Django's task framework; the django-tasks-db backend runs them in ``manage.py db_worker``)."""

from __future__ import annotations

from django.tasks import task


@task
def execute_run(run_id: str) -> None:
    """Carry out one ``StageRun``: the executor claims it, does the work, records the outcome."""
    from sessions_app.interview.executor import StageExecutor

    StageExecutor().execute(run_id)
