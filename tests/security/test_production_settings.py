"""Production mode: one switch (PRODUCTION=true) and `check --deploy` reports nothing; unsafe
configurations refuse to start; secrets from files; gunicorn serves the app and its static
files (WhiteNoise) with the security headers; CSP and no-store also in development."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

from activitycr.security import CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
HOST = "activitycr.example.it"


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE: set by the Playwright tests in this process, never in
        # a deployment (check --deploy rightly refuses it).
        if k
        not in {
            "DATABASE_URL",
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "STATIC_ROOT",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
        and not k.endswith("_FILE")
    }
    env.update(
        PRODUCTION="true",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS=f"{HOST},127.0.0.1",
        ACTIVITYCR_DATA_DIR=str(tmp_path / "data"),
        STATIC_ROOT=str(tmp_path / "static"),
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def settings_in(env: dict[str, str], *names: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run(  # noqa: S603
        [PYTHON, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "activitycr.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- The switch ----------------------------------------------------------------------------------


@pytest.mark.system
def test_check_deploy_reports_nothing_in_production(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.system
def test_check_deploy_does_complain_in_development(tmp_path):
    """The same check is not blind: without the switch it finds the development defaults."""
    env = production_env(tmp_path, PRODUCTION="false")
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS in development


@pytest.mark.system
def test_production_turns_on_the_hardening(tmp_path):
    values = settings_in(
        production_env(tmp_path),
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "X_FRAME_OPTIONS",
        "SECURE_REFERRER_POLICY",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "BEHIND_PROXY",
        "TWO_FACTOR_REQUIRED",
        "STORAGES",
    )
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["BEHIND_PROXY"] and values["TWO_FACTOR_REQUIRED"]
    assert "CompressedManifest" in values["STORAGES"]["staticfiles"]["BACKEND"]


@pytest.mark.system
@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"DEBUG": "true"}, "DEBUG"),
        ({"SECRET_KEY": "short-key"}, "SECRET_KEY"),
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"TWO_FACTOR_REQUIRED": "perhaps"}, "TWO_FACTOR_REQUIRED"),
    ],
)
def test_an_unsafe_production_configuration_does_not_start(tmp_path, change, named):
    result = manage(production_env(tmp_path, **change), "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


@pytest.mark.system
def test_secrets_come_from_files(tmp_path):
    key = secrets.token_urlsafe(60)
    (tmp_path / "key").write_text(key + "\n")
    (tmp_path / "db").write_text("postgres://activitycr:s3cret@db.internal:5432/activitycr\n")
    env = production_env(
        tmp_path, SECRET_KEY_FILE=str(tmp_path / "key"), DATABASE_URL_FILE=str(tmp_path / "db")
    )
    env.pop("SECRET_KEY")
    values = settings_in(env, "SECRET_KEY", "DATABASES")
    assert values["SECRET_KEY"] == key
    db = values["DATABASES"]["default"]
    assert (db["HOST"], db["NAME"], db["PASSWORD"]) == ("db.internal", "activitycr", "s3cret")

    missing = production_env(tmp_path, SECRET_KEY_FILE=str(tmp_path / "nope"))
    result = manage(missing, "check")
    assert result.returncode != 0 and "SECRET_KEY_FILE" in result.stderr


# --- gunicorn + WhiteNoise, as in docs/operations.md, "Running in production" ----------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("production")
    env = production_env(tmp_path)
    collected = manage(env, "collectstatic", "--noinput")
    assert collected.returncode == 0, collected.stderr
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "activitycr.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    else:  # pragma: no cover - only when gunicorn cannot start
        process.kill()
        pytest.fail(process.stderr.read().decode())
    yield {"port": port, "static_root": Path(env["STATIC_ROOT"])}
    process.terminate()
    process.wait(timeout=20)


def fetch(server: dict, path: str, *, https: bool = True, **headers: str):
    conn = http.client.HTTPConnection("127.0.0.1", server["port"], timeout=20)
    all_headers = {"Host": HOST, **headers}
    if https:
        all_headers["X-Forwarded-Proto"] = "https"
    conn.request("GET", path, headers=all_headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


@pytest.mark.system
def test_gunicorn_serves_the_collected_static_files_with_long_caching(gunicorn):
    manifest = json.loads((gunicorn["static_root"] / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/activitycr.css"]
    assert hashed != "css/activitycr.css"
    response, body = fetch(gunicorn, f"/static/{hashed}")
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/css")
    assert "immutable" in response.getheader("Cache-Control")
    assert body == (ROOT / "static" / "css" / "activitycr.css").read_bytes()
    bootstrap = manifest["paths"]["vendor/bootstrap/css/bootstrap.min.css"]
    response, _ = fetch(gunicorn, f"/static/{bootstrap}", **{"Accept-Encoding": "gzip"})
    assert response.status == 200 and response.getheader("Content-Encoding") == "gzip"


@pytest.mark.system
def test_gunicorn_sends_the_security_headers(gunicorn):
    response, _body = fetch(gunicorn, "/admin/login/")
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security") == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert response.getheader("Content-Security-Policy") == CONTENT_SECURITY_POLICY
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("Referrer-Policy") == "same-origin"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Permissions-Policy") == PERMISSIONS_POLICY
    cookie = response.getheader("Set-Cookie")
    assert "csrftoken=" in cookie and "Secure" in cookie


@pytest.mark.system
def test_plain_http_is_redirected_except_the_health_check(gunicorn):
    response, _ = fetch(gunicorn, "/account/login/", https=False)
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/account/login/"
    response, body = fetch(gunicorn, "/healthz", https=False)
    assert response.status == 200 and json.loads(body) == {"status": "ok"}


@pytest.mark.system
def test_an_unknown_host_is_refused(gunicorn):
    response, _ = fetch(gunicorn, "/healthz", Host="evil.example.com")
    assert response.status == 400


# --- Headers in development too -------------------------------------------------------------------


@pytest.mark.django_db
def test_every_response_carries_the_content_security_policy(client):
    response = client.get(reverse("login"))
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_pages_behind_the_login_are_never_stored(client, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    for url in (reverse("casework:desk", args=["casalmaggiore"]), reverse("password_change")):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=\"|\son[a-z]+=\"|javascript:", re.IGNORECASE
)


def test_no_template_has_inline_script_style_or_event_handlers():
    """What the CSP would block in the browser, caught here for every template of the repo."""
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        for number, line in enumerate(template.read_text().splitlines(), 1):
            if INLINE.search(line):
                offenders.append(f"{template.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


@pytest.mark.django_db
def test_rendered_operator_pages_have_no_inline_script(client, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    for url in (
        reverse("casework:desk", args=["casalmaggiore"]),
        reverse("casework:intake_new", args=["casalmaggiore"]),
    ):
        html = client.get(url).content.decode()
        assert not INLINE.search(html), INLINE.search(html).group(0)
