"""Search terms kept out of URLs: an opaque, per-user, short-lived reference.

A search may be a codice fiscale or a surname, which must never appear in an address (the
proxy's access log, the browser's history). The page that receives the search by POST keeps
the term in the user's session and redirects to an address carrying only a random token;
that address can be reloaded, bookmarked for a while and reached with Back, and it means
nothing to anyone else (another session has no such token) or after ``TTL``.
"""

from __future__ import annotations

import secrets
import time

from django.http import HttpRequest

SESSION_KEY = "search_refs"
TTL_SECONDS = 60 * 60  # one hour: a working session, not a bookmark for the next day
KEPT = 20  # the newest references a session keeps


def store(request: HttpRequest, term: str) -> str:
    """Keep ``term`` for this session; return the token that stands for it."""
    now = time.time()
    refs = {
        token: entry
        for token, entry in request.session.get(SESSION_KEY, {}).items()
        if entry.get("until", 0) > now
    }
    token = secrets.token_urlsafe(12)
    refs[token] = {"term": term, "until": now + TTL_SECONDS}
    newest = sorted(refs.items(), key=lambda item: item[1]["until"])[-KEPT:]
    request.session[SESSION_KEY] = dict(newest)
    return token


def recall(request: HttpRequest, token: str | None) -> str | None:
    """The term behind ``token`` in this session, or None (unknown, another session's,
    or expired)."""
    if not token:
        return None
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not isinstance(entry, dict) or entry.get("until", 0) <= time.time():
        return None
    term = entry.get("term")
    return term if isinstance(term, str) else None
