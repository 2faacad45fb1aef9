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
GOOD_SECRET = "k7Q2xV9pL4mN8rT1wY6zB3cF5hJ0sD2gA9eU4iO7qX1vM6nR8tW3yZ5bC0dE2fG"
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
    "ACTIVITYCR_DEVTOOLS",
    "DJANGO_SETTINGS_MODULE",
)


def load_settings(code: str = "import activitycr.settings", **env: str):
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
        ({"ACTIVITYCR_DEVTOOLS": "maybe"}, "ACTIVITYCR_DEVTOOLS"),
        (
            {
                "PRODUCTION": "true",
                "ACTIVITYCR_DEVTOOLS": "true",
                "SECRET_KEY": GOOD_SECRET,
                "ALLOWED_HOSTS": "x.it",
            },
            "ACTIVITYCR_DEVTOOLS",
        ),
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
    secret = "my-own-short-secret"
    result = load_settings(PRODUCTION="true", SECRET_KEY=secret, ALLOWED_HOSTS="x.it")
    assert result.returncode != 0
    assert secret not in result.stderr


# --- Developer tools (devtools: demo data, benchmarks, screenshots, demo_totp) ---------------

DEVTOOLS_COMMANDS = {
    "demo_data",
    "demo_totp",
    "screenshots",
    "benchmark_operator",
    "benchmark_reports",
}


def manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in _OURS}
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=clean | {"ACTIVITYCR_DATA_DIR": str(tmp_path / "data")} | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def production(**env: str) -> dict[str, str]:
    return {"PRODUCTION": "true", "SECRET_KEY": GOOD_SECRET, "ALLOWED_HOSTS": "x.it"} | env


def installed(**env: str) -> bool:
    result = load_settings(
        "import activitycr.settings as s; print('devtools' in s.INSTALLED_APPS)", **env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip() == "True"


def test_development_has_the_devtools_and_their_commands(tmp_path):
    assert installed()
    result = manage(tmp_path, "help", "--commands")
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) >= DEVTOOLS_COMMANDS


def test_production_has_no_devtools_and_demo_data_is_an_unknown_command(tmp_path):
    assert not installed(**production())
    commands = manage(tmp_path, "help", "--commands", **production())
    assert commands.returncode == 0, commands.stderr
    assert "migrate" in commands.stdout.split()
    assert not DEVTOOLS_COMMANDS & set(commands.stdout.split())
    demo = manage(tmp_path, "demo_data", "--meetings", "10", **production())
    assert demo.returncode != 0
    assert "Unknown command: 'demo_data'" in demo.stderr


def test_the_devtools_can_be_left_out_of_a_development_install():
    assert not installed(ACTIVITYCR_DEVTOOLS="false")
    assert installed(ACTIVITYCR_DEVTOOLS="true")
