"""WSGI entry point: gunicorn serves ``uaip.wsgi:application`` (see deploy/gunicorn.conf.py)."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uaip.settings")

try:
    application = get_wsgi_application()
except ImproperlyConfigured as exc:
    # A missing SECRET_KEY or DATABASE_URL is the operator's to fix, not a bug: one line naming the variable
    # instead of a traceback (as manage.py does). Status 4 is gunicorn's "app failed to load", so its arbiter
    # stops instead of respawning workers that can never boot.
    sys.stderr.write(f"Configuration error: {exc}\n")
    sys.stderr.flush()
    raise SystemExit(4) from None
