"""Counting the queries a page runs on its own, net of what every request costs.

Every logged-in request pays for the session, the user, their permissions and the session
save (SESSION_SAVE_EVERY_REQUEST); middleware added later may pay more. ``own_queries``
subtracts the cost of a request whose view runs no query (the comune autocomplete with a
too-short term), so that the tests assert exactly what the page itself does.
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def count(client, method: str, url: str, data: dict | None = None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    return len(ctx), response


def baseline(client) -> int:
    url = reverse("sportelli:comune_autocomplete")
    client.get(url, {"q": ""})  # warm-up: content types and the like are cached
    n, _ = count(client, "get", url, {"q": ""})
    return n


def own_queries(client, method: str, url: str, data: dict | None = None) -> tuple[int, object]:
    base = baseline(client)
    n, response = count(client, method, url, data)
    return n - base, response
