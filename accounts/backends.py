from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Django's model backend; the user manager already matches e-mail addresses case-insensitively."""
