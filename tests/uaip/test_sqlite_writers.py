"""The embedded SQLite default: the web server and the worker write to one file at once, and the second writer
waits for the first instead of failing with "database is locked"."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import OperationalError, transaction
from django.db.utils import ConnectionHandler


def _writers(tmp_path: Path, options: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """Two connections to one file, each in ``transaction.atomic`` as the app's services are: A writes and holds
    its transaction; meanwhile B reads, then writes."""
    config = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "shared.sqlite3"),
        "OPTIONS": options,
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
    }
    handler = ConnectionHandler({"default": dict(config), "b": dict(config)})
    monkeypatch.setattr(transaction, "connections", handler)
    setup = handler["default"]
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE answers (id INTEGER PRIMARY KEY, text TEXT)")
    errors: list[BaseException] = []
    a_has_written = threading.Event()

    def writer_a() -> None:
        conn = handler["default"]
        try:
            with transaction.atomic(using="default"), conn.cursor() as cursor:
                cursor.execute("INSERT INTO answers (text) VALUES ('from the web server')")
                a_has_written.set()
                time.sleep(0.4)
        except OperationalError as exc:
            errors.append(exc)
        finally:
            a_has_written.set()
            conn.close()

    def writer_b() -> None:
        conn = handler["b"]
        a_has_written.wait(5)
        try:
            with transaction.atomic(using="b"), conn.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM answers")
                cursor.execute("INSERT INTO answers (text) VALUES ('from the worker')")
        except OperationalError as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return errors


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3", reason="runs where SQLite is the database"
)
def test_sqlite_default_gets_the_options():
    assert settings.DATABASES["default"]["OPTIONS"].items() >= settings.SQLITE_OPTIONS.items()


def test_two_writers_on_the_default_settings_both_succeed(tmp_path, django_db_blocker, monkeypatch):
    with django_db_blocker.unblock():  # our own file, not the test database
        assert _writers(tmp_path, dict(settings.SQLITE_OPTIONS), monkeypatch) == []


def test_without_them_the_second_writer_fails_at_once(tmp_path, django_db_blocker, monkeypatch):
    """What the settings prevent (so the test above can fail): a deferred read-then-write is refused."""
    with django_db_blocker.unblock():
        errors = _writers(tmp_path, {"init_command": "PRAGMA journal_mode=WAL"}, monkeypatch)
    assert errors and "locked" in str(errors[0])
