"""A large import in a real browser (issue 12, item 5): an administrator uploads a file over
``IMPORT_BACKGROUND_ROWS`` rows, lands on the job's page, watches the progress bar move to
the end while the real database worker checks the file (the page polls its status from
static/js/admin-import-progress.js, under the Content-Security-Policy), sees the preview,
confirms, and the worker imports every row. Without JavaScript the page reloads itself."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from activitycr.worker import run_queued_tasks
from casework.models import ImportJob, Person
from tests.browser.conftest import assert_accessible, sign_in
from tests.casework.test_import_background import many_people
from tests.casework.test_import_files import italian_excel_csv

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROWS = 1500

# Every value the progress bar takes, kept across the page's own reload (sessionStorage).
RECORD_PROGRESS = """() => {
    const bar = document.getElementById("import-job-progress");
    sessionStorage.setItem("seen", JSON.stringify([bar.value]));
    new MutationObserver(() => {
        const seen = JSON.parse(sessionStorage.getItem("seen"));
        seen.push(bar.value);
        sessionStorage.setItem("seen", JSON.stringify(seen));
    }).observe(bar, {attributes: true, attributeFilter: ["value"]});
}"""


@pytest.fixture(autouse=True)
def _background(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"
    settings.IMPORT_BACKGROUND_ROWS = 100


def clean_and_accessible(page) -> None:
    """Nothing in the browser's console (a script the CSP refused, an error), then axe-core
    (whose own probes the CSP refuses: their complaints are cleared)."""
    assert [e for e in page.browser_errors if "favicon.ico" not in e] == []
    assert_accessible(page)
    page.browser_errors.clear()


def upload(page, rows: int) -> None:
    page.goto("/admin/casework/person/import/")
    page.get_by_label("Formato").select_option(label="csv")
    page.get_by_label("File da importare").set_input_files(
        {
            "name": "persone.csv",
            "mimeType": "text/csv",
            "buffer": italian_excel_csv(many_people(rows)),
        }
    )
    page.get_by_role("button", name="Carica e controlla").click()
    page.wait_for_load_state()


def test_a_large_import_shows_its_progress_and_is_confirmed(page, live_server, administrator):
    sign_in(page, administrator, live_server.url)
    upload(page, ROWS)

    assert "/admin/casework/person/import/lavoro/" in page.url
    bar = page.locator("progress#import-job-progress")
    expect(bar).to_have_attribute("max", str(ROWS))
    expect(bar).to_have_attribute("value", "0")
    expect(page.locator("#import-job-text")).to_have_text("0 di 1.500 righe")
    expect(page.locator("#import-job-state")).to_have_text("In coda")
    clean_and_accessible(page)
    page.evaluate(RECORD_PROGRESS)

    run_queued_tasks()

    # The page noticed the end by itself and shows the preview with the confirmation.
    confirm = page.get_by_role("button", name="Conferma l'importazione")
    expect(confirm).to_be_visible()
    expect(page.get_by_text("Il file è corretto: 1500 righe, di cui 1500 nuove")).to_be_visible()
    seen = page.evaluate("() => JSON.parse(sessionStorage.getItem('seen'))")
    assert seen[0] == 0 and seen[-1] == ROWS, seen
    assert seen == sorted(seen), seen
    assert Person.objects.count() == 0
    clean_and_accessible(page)

    confirm.click()
    page.wait_for_load_state()
    expect(page.locator("#import-job-phase")).to_have_text("Importazione")
    expect(bar).to_be_visible()
    run_queued_tasks()

    expect(
        page.get_by_text("Importazione completata (persone): 1500 nuove righe, 0 aggiornate.")
    ).to_be_visible()
    assert Person.objects.count() == ROWS
    assert ImportJob.objects.get().state == "done"
    assert [e for e in page.browser_errors if "favicon.ico" not in e] == []


def test_without_javascript_the_page_reloads_itself(browser, live_server, administrator):
    context = browser.new_context(
        java_script_enabled=False, locale="it-IT", base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, administrator, live_server.url)
        upload(page, 150)
        expect(page.locator("#import-job-text")).to_have_text("0 di 150 righe")
        run_queued_tasks()
        expect(page.get_by_role("button", name="Conferma l'importazione")).to_be_visible()
    finally:
        context.close()
