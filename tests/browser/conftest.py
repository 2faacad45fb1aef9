"""Browser tests: Playwright (sync API) driving Debian's Chromium against ``live_server``.

Never ``playwright install``: the browser is the one Debian ships at /usr/bin/chromium
(``scripts/ensure_chromium.sh`` installs it in CI). When it is missing the browser tests
are skipped with a loud notice on a developer's machine, and fail when ``CI=true``.

Each test module marks itself with::

    pytestmark = [
        pytest.mark.browser,
        pytest.mark.django_db(transaction=True, serialized_rollback=True),
    ]

The live server answers from another thread, so the tests need ``transactional_db``; a
transactional test empties every table when it ends, including the rows the data
migrations seeded (desks, comuni, partners, activities, role groups). ``serialized_rollback``
makes pytest-django serialise those rows when it creates the test database and load them
back before each test, on SQLite and PostgreSQL alike (in bulk: ``tests/conftest.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/static/vendor/axe/axe.min.js"
PASSWORD = "pw-test-1234"  # tests/factories.user()

DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 820, "height": 1180}


def _missing_browser(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run, not be skipped)")
    banner = "!" * 78
    print(f"\n{banner}\n!! BROWSER TESTS SKIPPED: {reason}\n{banner}")
    pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")


# One Playwright per test process, started by the first browser test and stopped after the
# last one of this folder (pytest-django runs them one after the other): while it runs,
# its event loop is "running" in this thread, which Django's async-safety check, asgiref's
# connection handling and ``check --deploy`` (async.E001) all notice.
_RUNNING: dict = {}
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def _in_this_folder(item: pytest.Item | None) -> bool:
    return item is not None and Path(item.path).parent == Path(__file__).parent


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    if _in_this_folder(item):
        # Playwright's sync API runs an event loop in this thread; the ORM calls that tests
        # (and pytest-django's set-up) make between two browser steps are still synchronous.
        os.environ[ASYNC_UNSAFE] = "true"
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    yield  # the fixtures' teardown (the flush) runs first, with the loop still up
    if _in_this_folder(item) and not _in_this_folder(nextitem):
        _stop_browser()
        os.environ.pop(ASYNC_UNSAFE, None)


def _start_browser() -> None:
    if not Path(CHROMIUM).is_file() or not os.access(CHROMIUM, os.X_OK):
        _missing_browser(f"{CHROMIUM} is missing: `apt-get install chromium` (or make test)")
    if not AXE_JS.is_file():
        _missing_browser(f"{AXE_JS} is missing: run `npm ci`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test group installs it
        _missing_browser("playwright is not installed: make setup (uv sync --group test)")
    from django.db import connections

    # The test database exists by now (``django_db_setup``), with the seeded rows
    # serialised on its connection objects. Once Playwright's event loop runs in this
    # thread, asgiref (behind Django's connection handler) sees an "async" thread and hands
    # out new connection objects, which would not know those rows: carry them over, or
    # serialized_rollback silently restores nothing after the first browser test.
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    playwright = sync_playwright().start()
    for alias, contents in serialized.items():
        connections[alias]._test_serialized_contents = contents
    _RUNNING["playwright"] = playwright
    _RUNNING["chromium"] = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def _stop_browser() -> None:
    if _RUNNING:
        _RUNNING.pop("chromium").close()
        _RUNNING.pop("playwright").stop()


@pytest.fixture
def browser(django_db_setup):
    """Debian's Chromium, shared by the browser tests (see ``_RUNNING``)."""
    if not _RUNNING:
        _start_browser()
    return _RUNNING["chromium"]


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A fresh browser context (no cookies) at a 1280 px desktop viewport, in Italian."""
    context = browser.new_context(
        viewport=DESKTOP,
        locale="it-IT",
        timezone_id="Europe/Rome",
        base_url=live_server.url,
    )
    context.set_default_timeout(10_000)
    pg = context.new_page()
    # What the browser complains about (a script the CSP blocks, a JavaScript error): the
    # audit reports it with the page.
    pg.browser_errors = []
    pg.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and pg.browser_errors.append(f"{msg.text} ({msg.location.get('url', '')})")
        ),
    )
    pg.on(
        "response",
        lambda r: (
            r.status >= 400
            and r.request.resource_type != "document"
            and pg.browser_errors.append(f"HTTP {r.status} for {r.url}")
        ),
    )
    pg.on("pageerror", lambda exc: pg.browser_errors.append(str(exc)))
    yield pg
    context.close()


def login(page, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form, as a person would."""
    page.goto("/account/login/")
    page.get_by_label("Nome utente").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Accedi", exact=True).click()
    page.wait_for_load_state()


def sign_in(page, user, server_url: str) -> None:
    """Give the browser a session made on the server (quicker than the form, which the
    flow tests use): the tests that are about another page start already logged in."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": server_url,
            }
        ]
    )


def axe_violations(page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Run axe-core on the current page; describe each violation of the given impacts."""
    # The app's Content-Security-Policy (script-src 'self') refuses inline scripts, so the
    # tag points at the same file as the app serves it (node_modules/axe-core is mapped to
    # static/vendor/axe/ in settings): the audit runs with the real CSP in force.
    page.add_script_tag(url=AXE_URL)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                count: v.nodes.length,
                targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
            }));
        }"""
    )
    return [
        f"{v['impact']}: {v['id']} ({v['help']}), {v['count']} nodes, at {', '.join(v['targets'])}"
        for v in result
        if v["impact"] in impacts
    ]


def assert_accessible(page) -> None:
    problems = axe_violations(page)
    assert not problems, f"axe-core on {page.url}:\n" + "\n".join(problems)


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 = no sideways scroll)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )
