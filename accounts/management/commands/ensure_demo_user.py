"""Create a demo account on a fresh install, and say how to log in with it."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.core.management.base import BaseCommand

from accounts.models import User

DEMO_EMAIL = "demo@uaip.local"


class Command(BaseCommand):
    help = "Create a demo user when the database has no users yet, and print its credentials."

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.exists():
            self.stdout.write("Users exist already; no demo user created. Log in with your own account.")
            return
        password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(12)
        User.objects.create_user(email=DEMO_EMAIL, password=password, name="Demo User")
        self.stdout.write(self.style.SUCCESS("Created a demo user (shown once; change it or register your own):"))
        self.stdout.write(f"    e-mail:   {DEMO_EMAIL}\n    password: {password}")
