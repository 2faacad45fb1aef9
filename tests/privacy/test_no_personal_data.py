"""No personal data in URLs, logs or error pages (issue 5, GDPR tooling).

* URLs: no pattern of the URL map takes a free string but the allow-listed ones (a desk
  slug, the password-reset token, admin internals that carry ids); the people search is a
  POST and a ``?q=`` in the address searches nothing; no link on the operators' pages
  carries a codice fiscale or a surname.
* Logs: a request that fails with the codice fiscale, e-mail and phone in its POST body
  and in the exception message leaves none of them in what the configured log handler
  writes (the scrubbing filter of ``activitycr.security``), end to end.
* Error pages: the 500 and 404 pages do not echo what was sent.
"""

from __future__ import annotations

import io
import logging
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.urls.resolvers import RegexPattern

from casework import queries
from tests import factories
from tests.security.matrix import login

pytestmark = pytest.mark.django_db

# (route kwarg name) -> why a string is fine there.
ALLOWED_STRING_KWARGS = {
    "slug": "the desk's slug (sportello/<slug>/)",
    "app_label": "admin: an application name",
    "object_id": "admin: a primary key",
    "content_type_id": "admin: view on site, ids",
    "id": "admin: a user's primary key (password change)",
    "url": "admin: catch-all that redirects to the index",
    "job_id": "admin: a background import's random UUID",
}


def _routes(patterns=None, prefix=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        else:
            kwargs = {
                name: conv
                for name, conv in entry.pattern.converters.items()
                if not isinstance(conv, IntConverter)
            }
            if isinstance(entry.pattern, RegexPattern):  # re_path: every named group is a str
                kwargs |= {n: "regex" for n in entry.pattern.regex.groupindex}
            yield prefix + str(entry.pattern), entry.name, kwargs


def test_no_url_pattern_takes_a_fiscal_code_or_a_name():
    offending = [
        f"{route} ({name}): <{kwarg}>"
        for route, name, kwargs in _routes()
        for kwarg in kwargs
        if kwarg not in ALLOWED_STRING_KWARGS
    ]
    assert not offending, offending
    # The allow-list is real: each entry is used somewhere.
    used = {kwarg for _route, _name, kwargs in _routes() for kwarg in kwargs}
    assert used == set(ALLOWED_STRING_KWARGS)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attrs_d = dict(attrs)
        for key in ("href", "action", "src", "formaction", "hx-get", "hx-post", "data-url"):
            if attrs_d.get(key):
                self.attributes.append(attrs_d[key])
        if tag == "form":
            self.forms.append({"method": (attrs_d.get("method") or "get").lower(), "fields": []})
        elif tag in ("input", "textarea", "select") and self.forms:
            self.forms[-1]["fields"].append(attrs_d.get("name"))


def _parse(response) -> _Forms:
    parser = _Forms()
    parser.feed(response.content.decode())
    return parser


def test_the_people_search_is_a_post_and_a_query_string_searches_nothing(op_casalmaggiore):
    person = factories.person(last_name="Zanolli")
    factories.intake(person, desk_slug="casalmaggiore")
    client = login(Client(), op_casalmaggiore)
    for url in (
        reverse("casework:desk", kwargs={"slug": "casalmaggiore"}),
        reverse("casework:search", kwargs={"slug": "casalmaggiore"}),
    ):
        page = _parse(client.get(url))
        search_forms = [f for f in page.forms if "q" in f["fields"]]
        assert search_forms, f"no search form on {url}"
        assert {f["method"] for f in search_forms} == {"post"}, url
    search = reverse("casework:search", kwargs={"slug": "casalmaggiore"})
    by_get = client.get(search, {"q": person.fiscal_code})
    assert by_get.status_code == 200
    assert "Zanolli" not in by_get.content.decode()
    by_post = client.post(search, {"q": person.fiscal_code})
    assert by_post.status_code == 302  # POST-redirect-GET, to an opaque reference
    assert person.fiscal_code not in by_post["Location"]
    results = client.get(by_post["Location"])
    assert results.status_code == 200
    assert "Zanolli" in results.content.decode()


def test_no_link_on_the_operators_pages_carries_a_fiscal_code_or_a_name(op_casalmaggiore):
    person = factories.person(last_name="Ghisolfini", email="g@example.org")
    intake = factories.intake(person, desk_slug="casalmaggiore")
    factories.meeting(intake)
    client = login(Client(), op_casalmaggiore)
    pages = [
        client.get(reverse("casework:desk", kwargs={"slug": "casalmaggiore"})),
        client.get(reverse("casework:person", kwargs={"pk": person.pk})),
        client.post(
            reverse("casework:search", kwargs={"slug": "casalmaggiore"}),
            {"q": "Ghisolfini"},
            follow=True,
        ),
        client.post(
            reverse("casework:search", kwargs={"slug": "casalmaggiore"}),
            {"q": person.fiscal_code},
            follow=True,
        ),
    ]
    attributes = []
    for response in pages:
        assert response.status_code == 200
        attributes += _parse(response).attributes
    assert any(f"/persona/{person.pk}/" in a for a in attributes), "the case is linked by id"
    secrets = (person.fiscal_code, person.fiscal_code.lower(), "Ghisolfini", "ghisolfini")
    leaking = [a for a in attributes if any(s in a for s in (*secrets, "g@example.org"))]
    assert not leaking, leaking


@pytest.fixture
def captured_log():
    """What the configured console handler (with its filters and formatter) writes."""
    handlers = {
        id(h): h
        for name in ("", "django.request", "django", "casework")
        for h in logging.getLogger(name).handlers
        if isinstance(h, logging.StreamHandler)
    }
    assert handlers, "the LOGGING setting configures a console handler"
    buffer = io.StringIO()
    previous = {key: h.setStream(buffer) for key, h in handlers.items()}
    yield buffer
    for key, h in handlers.items():
        h.setStream(previous[key])


def test_a_failing_request_leaves_no_personal_data_in_logs_or_on_the_error_page(
    op_casalmaggiore, monkeypatch, captured_log, settings
):
    settings.DEBUG = False
    cf = factories.person().fiscal_code

    def broken_search(*, user, query: str):
        # What an ORM error with the typed value in its message looks like.
        raise ValueError(f"search failed for {query!r}, contact mario.rossi@example.org 3331234567")

    monkeypatch.setattr(queries, "search_people", broken_search)
    client = login(Client(raise_request_exception=False), op_casalmaggiore)
    response = client.post(
        reverse("casework:search", kwargs={"slug": "casalmaggiore"}),
        {"q": cf, "email": "mario.rossi@example.org", "phone": "333 1234567"},
        follow=True,  # the search runs on the results page (POST-redirect-GET)
    )
    assert response.status_code == 500
    log = captured_log.getvalue()
    assert "ValueError" in log and "/cerca/" in log, "the failure is logged"
    body = response.content.decode()
    for secret in (cf, cf.lower(), "mario.rossi@example.org", "3331234567", "333 1234567"):
        assert secret not in log
        assert secret not in body
    assert re.search(r"\[codice fiscale\]", log), "the CF is replaced by a placeholder"


def test_the_not_found_page_does_not_echo_the_address(op_casalmaggiore, settings):
    settings.DEBUG = False
    cf = "RSSMRA80A01B898X"
    client = login(Client(), op_casalmaggiore)
    for url in (f"/persona/{cf}/", f"/{cf}/", f"/sportello/{cf.lower()}/"):
        response = client.get(url)
        assert response.status_code == 404
        body = response.content.decode()
        assert cf not in body and cf.lower() not in body
