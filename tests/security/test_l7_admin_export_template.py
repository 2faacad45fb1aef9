"""L7 (security review, November 2026): the admin export page carries no inline script,
event handler or style, which the Content-Security-Policy would refuse (the browser test
``tests/browser/test_l7_admin_export_select_all.py`` clicks the "Select all" box)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.matrix import login

pytestmark = pytest.mark.django_db

EXPORT_PAGES = [
    "admin:casework_person_export",
    "admin:casework_intake_export",
    "admin:casework_meeting_export",
]
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)


@pytest.mark.parametrize("name", EXPORT_PAGES)
def test_l7_export_page_has_no_inline_handler_script_or_style(name, administrator, settings):
    settings.AXES_ENABLED = False
    response = login(Client(), administrator).get(reverse(name))
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert 'class="select-toggle"' in html  # the "Select all" box is there...
    assert "js/admin-export.js" in html  # ...with the script that wires it
    assert INLINE_HANDLER.findall(html) == []
    assert INLINE_STYLE.findall(html) == []
    assert INLINE_SCRIPT.findall(html) == []
