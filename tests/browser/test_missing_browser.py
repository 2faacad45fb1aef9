"""Without Chromium the browser tests are skipped loudly on a laptop, and fail in CI."""

from __future__ import annotations

import pytest

from tests.browser.conftest import _missing_browser


def test_without_chromium_ci_fails(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run, not be skipped"):
        _missing_browser("/usr/bin/chromium is missing")


def test_without_chromium_a_developer_run_skips_loudly(monkeypatch, capsys):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="BROWSER TESTS SKIPPED"):
        _missing_browser("/usr/bin/chromium is missing")
    assert "BROWSER TESTS SKIPPED: /usr/bin/chromium is missing" in capsys.readouterr().out
