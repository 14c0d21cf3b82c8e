from django.apps import AppConfig


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    label = "sessions_app"
    verbose_name = "Scoping sessions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Django's hooks for start-up registration: the question-bank system check, and each feature's handlers
        # for its kinds of background run (the executor dispatches through the table they fill).
        from sessions_app.charter import jobs as charter_jobs  # noqa: F401
        from sessions_app.interview import checks, quality  # noqa: F401
