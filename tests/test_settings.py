"""Settings come from the environment and a bad value stops the start-up, naming the variable.

Each case imports ``activitycr.settings`` in a fresh interpreter, as gunicorn or manage.py
would, with only the variables under test set.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.system  # each test starts a fresh interpreter

BASE_DIR = Path(__file__).resolve().parent.parent
GOOD_SECRET = "k7Q2xV9pL4mN8rT1wY6zB3cF5hJ0sD2gA9eU4iO7qX1vM6nR8tW3yZ5bC0dE2fG"  # noqa: S105
_OURS = (
    "DEBUG",
    "PRODUCTION",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "DATABASE_URL",
    "DB_CONN_MAX_AGE",
    "ALLOWED_HOSTS",
    "SESSION_IDLE_SECONDS",
    "OVERDUE_FOLLOWUP_DAYS",
    "PSEUDONYM_KEY",
    "DJANGO_SETTINGS_MODULE",
)


def load_settings(code: str = "import activitycr.settings", **env: str):  # noqa: ANN201
    clean = {k: v for k, v in os.environ.items() if k not in _OURS}
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_development_defaults_start():
    result = load_settings(
        "import activitycr.settings as s; "
        "print(s.DEBUG, s.PRODUCTION, s.DATABASES['default']['ENGINE'], s.TIME_ZONE, "
        "s.LANGUAGE_CODE)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "False",
        "django.db.backends.sqlite3",
        "Europe/Rome",
        "it",
    ]


def test_values_are_read_from_the_environment():
    result = load_settings(
        "import activitycr.settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_AGE, s.OVERDUE_FOLLOWUP_DAYS, "
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], "
        "s.DATABASES['default']['CONN_MAX_AGE'])",
        DEBUG="off",
        SESSION_IDLE_SECONDS="900",
        OVERDUE_FOLLOWUP_DAYS="45",
        DATABASE_URL="postgres://desk@db.example:5432/activitycr",
        DB_CONN_MAX_AGE="120",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "900",
        "45",
        "django.db.backends.postgresql",
        "activitycr",
        "120",
    ]


def test_a_complete_production_configuration_starts(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text(GOOD_SECRET + "\n")
    result = load_settings(
        "import activitycr.settings as s; "
        f"print(s.DEBUG, s.SECRET_KEY == {GOOD_SECRET!r}, s.ALLOWED_HOSTS, "
        "s.SESSION_COOKIE_SECURE)",
        PRODUCTION="true",
        SECRET_KEY_FILE=str(key_file),
        ALLOWED_HOSTS="activitycr.concass.it",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "['activitycr.concass.it']", "True"]


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"PRODUCTION": "si"}, "PRODUCTION"),
        ({"PRODUCTION": "true", "ALLOWED_HOSTS": "x.it"}, "SECRET_KEY"),
        ({"PRODUCTION": "true", "SECRET_KEY": "short", "ALLOWED_HOSTS": "x.it"}, "SECRET_KEY"),
        ({"PRODUCTION": "true", "DEBUG": "true", "SECRET_KEY": GOOD_SECRET}, "DEBUG"),
        ({"PRODUCTION": "true", "SECRET_KEY": GOOD_SECRET}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY_FILE": "/nonexistent/activitycr-secret"}, "SECRET_KEY_FILE"),
        ({"DATABASE_URL": "mysql://root@localhost/activitycr"}, "DATABASE_URL"),
        ({"DB_CONN_MAX_AGE": "a minute"}, "DB_CONN_MAX_AGE"),
        ({"DB_CONN_MAX_AGE": "-5"}, "DB_CONN_MAX_AGE"),
        ({"SESSION_IDLE_SECONDS": "10"}, "SESSION_IDLE_SECONDS"),
        ({"OVERDUE_FOLLOWUP_DAYS": "0"}, "OVERDUE_FOLLOWUP_DAYS"),
    ],
)
def test_a_bad_value_stops_the_start_up_naming_the_variable(env, named):
    result = load_settings(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert named in last_line, last_line


def test_the_secret_itself_never_appears_in_the_error():
    secret = "my-own-short-secret"  # noqa: S105
    result = load_settings(PRODUCTION="true", SECRET_KEY=secret, ALLOWED_HOSTS="x.it")
    assert result.returncode != 0
    assert secret not in result.stderr
