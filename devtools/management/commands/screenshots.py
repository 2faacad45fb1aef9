"""PNG screenshots of the operator pages, for the README.

    python manage.py demo_data            # once: the screenshots show the demo data
    python manage.py screenshots [--output docs/screenshots]

Serves the app in-process (Django's ``LiveServerThread``, static files included) on the
current database, signs in as the demo operator of Casalmaggiore with a session made on the
server (no password needed) and, in Debian's Chromium driven by Playwright, saves:

* ``dashboard.png`` — the desk's dashboard;
* ``intake-form-error.png`` — the new-intake form sent back with a wrong codice fiscale,
  everything typed still in place;
* ``case-page.png`` — the case page of the open case with the most referrals and meetings.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.test import Client
from django.test.testcases import LiveServerThread
from django.test.utils import modify_settings
from django.urls import reverse
from playwright.sync_api import expect, sync_playwright

from casework.models import Intake
from sportelli.models import Desk

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

OPERATOR = "op.casalmaggiore"
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
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
# Maria Rossi, born in Casalmaggiore on 14/03/1995: RSSMRA95C54B898V, typed with a wrong
# check letter.
WRONG_CF = "RSSMRA95C54B898A"


class Command(BaseCommand):
    help = "Save PNG screenshots of the dashboard, the intake form with an error, a case page."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR) / "docs" / "screenshots"),
            help="Folder for the PNG files (default: docs/screenshots).",
        )

    def handle(self, *args, **options) -> None:
        output = Path(options["output"])
        output.mkdir(parents=True, exist_ok=True)
        if not Path(CHROMIUM).is_file():
            raise CommandError(f"{CHROMIUM} is missing: apt-get install chromium")

        user = get_user_model().objects.filter(username=OPERATOR).first()
        if user is None:
            raise CommandError(f"No user {OPERATOR!r}: run `manage.py demo_data` first.")
        desk = Desk.objects.visible_to(user).order_by("opened_on", "name").first()
        case = (
            Intake.objects.visible_to(user)
            .open()
            .annotate(n_meetings=Count("meetings", distinct=True))
            .annotate(n_referrals=Count("referrals", distinct=True))
            .order_by("-n_referrals", "-n_meetings", "-opened_on")
            .first()
        )
        if desk is None or case is None:
            raise CommandError(f"{OPERATOR} has no cases: run `manage.py demo_data` first.")
        # A session made on the server, handed to the browser as its cookie.
        client = Client()
        client.force_login(user)
        session_id = client.cookies[settings.SESSION_COOKIE_NAME].value

        server = LiveServerThread("127.0.0.1", StaticFilesHandler)
        server.daemon = True
        with modify_settings(ALLOWED_HOSTS={"append": "127.0.0.1"}):
            server.start()
            server.is_ready.wait()
            if server.error:
                raise CommandError(f"The in-process server did not start: {server.error}")
            try:
                base_url = f"http://127.0.0.1:{server.port}"
                saved = self._shoot(base_url, session_id, desk.slug, case.person_id, output)
            finally:
                server.terminate()
        for path in saved:
            self.stdout.write(f"saved {path}")

    def _shoot(
        self, base_url: str, session_id: str, desk_slug: str, person_pk: int, output: Path
    ) -> list[Path]:
        saved: list[Path] = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(
                viewport=VIEWPORT, locale="it-IT", timezone_id="Europe/Rome", base_url=base_url
            )
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": session_id,
                        "url": base_url,
                        "httpOnly": True,
                    }
                ]
            )
            page = context.new_page()

            page.goto(reverse("casework:desk", args=[desk_slug]))
            expect(page.locator("h1")).to_be_visible()
            saved.append(self._save(page, output / "dashboard.png"))

            page.goto(reverse("casework:intake_new", args=[desk_slug]))
            form = page.locator("#intake-form")
            form.locator("[name=fiscal_code]").fill(WRONG_CF)
            form.locator("[name=last_name]").fill("Rossi")
            form.locator("[name=first_name]").fill("Maria")
            form.locator("[name=birth_date]").fill("1995-03-14")
            form.locator("[name=gender]").select_option("F")
            form.locator("[name=residence_comune]").fill("Casalmaggiore (CR)")
            form.locator("[name=education]").select_option("diploma")
            form.locator("[name=channel]").select_option("spontaneo")
            form.locator("[name=main_need]").select_option("ricerca_attiva")
            form.locator("[name=labour_status]").select_option("disoccupato")
            form.locator("#intake-submit").click()
            expect(page.locator("#form-errors")).to_be_visible()
            page.locator("[name=fiscal_code]").scroll_into_view_if_needed()
            saved.append(self._save(page, output / "intake-form-error.png"))

            page.goto(reverse("casework:person", args=[person_pk]))
            expect(page.locator("h1")).to_be_visible()
            saved.append(self._save(page, output / "case-page.png"))

            context.close()
            browser.close()
        return saved

    def _save(self, page, path: Path) -> Path:
        page.screenshot(path=str(path), full_page=True)
        return path
