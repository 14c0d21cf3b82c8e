"""``uaip.settings`` with the floor endpoints added to the URLs (everything else exactly as production)."""

from uaip.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor.urls"
