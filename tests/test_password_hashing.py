"""The suite hashes passwords fast (tests/conftest.py), production keeps Django's PBKDF2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import get_hasher, make_password

ROOT = Path(__file__).resolve().parent.parent


def test_the_suite_hashes_passwords_with_the_fast_hasher():
    assert get_hasher().algorithm == "md5"
    assert make_password("pw-test-1234").startswith("md5$")


@pytest.mark.system
def test_the_app_outside_the_tests_hashes_with_pbkdf2():
    """The override lives in the tests only: the settings the app runs with keep PBKDF2."""
    code = (
        "import django; django.setup(); from django.contrib.auth.hashers import get_hasher; "
        "print(get_hasher().algorithm)"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DJANGO_SETTINGS_MODULE": "activitycr.settings",
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["pbkdf2_sha256"]
