"""/healthz: for the reverse proxy; no login, no session, no personal data; 503 when the
database cannot be reached."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def test_healthy(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1, nothing else (no session, no user)
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_head_answers_and_writes_are_refused(client):
    assert client.head(reverse("healthz")).status_code == 200
    assert client.post(reverse("healthz")).status_code == 405


def test_a_logged_in_user_gets_the_same_answer(client, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends


@pytest.mark.system
@pytest.mark.parametrize(
    "database_url",
    [
        f"postgres://postgres@127.0.0.1:{_closed_port()}/activitycr",
        "sqlite:////nonexistent-directory/activitycr.sqlite3",
    ],
    ids=["postgres-down", "sqlite-unreadable"],
)
def test_503_when_the_database_is_unreachable(database_url):
    """A real app process pointed at a database that is not there."""
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(json.dumps([r.status_code, r.json()]))"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "activitycr.settings",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(  # noqa: S603 - our own code, fixed arguments
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    status, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body == {"status": "error", "database": "unreachable"}
    assert "health check: database unreachable (OperationalError)" in result.stderr
