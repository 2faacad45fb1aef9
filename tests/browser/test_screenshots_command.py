"""``manage.py screenshots``: on the demo data it serves the app itself and saves the three
PNGs the README shows (dashboard, intake form with an error, case page)."""

from __future__ import annotations

import io
import struct
import threading

import pytest
from django.core.management import call_command

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_screenshots_command_saves_the_three_pages(browser, tmp_path):
    call_command("demo_data", meetings=120, stdout=io.StringIO())
    out = io.StringIO()
    failure: list[BaseException] = []

    def shoot() -> None:
        # Its own thread: this one already runs the tests' Playwright.
        try:
            call_command("screenshots", output=str(tmp_path), stdout=out)
        except BaseException as exc:
            failure.append(exc)

    worker = threading.Thread(target=shoot)
    worker.start()
    worker.join(timeout=180)
    assert not worker.is_alive(), "screenshots did not finish in 3 minutes"
    if failure:
        raise failure[0]
    for name in ("dashboard.png", "intake-form-error.png", "case-page.png"):
        path = tmp_path / name
        assert f"saved {path}" in out.getvalue()
        width, height = png_size(path.read_bytes())
        assert width == 1280, name
        assert height >= 700, name  # full page, not an empty viewport
