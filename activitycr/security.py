"""Security plumbing shared by the whole site.

* :class:`SecurityHeadersMiddleware` — a Content Security Policy with no inline script or
  style on every response (in development too, so that an inline ``<script>`` breaks at once),
  and ``Cache-Control: no-store`` on every response to a logged-in user: every page and export
  behind the login carries personal data, and no browser or proxy may keep a copy.
  A ``Permissions-Policy`` turns off the browser features the app never uses (camera,
  microphone, geolocation, payment, USB) on every response too.
* :func:`client_ip` — the client's address: ``REMOTE_ADDR``, or behind our reverse proxy
  (``BEHIND_PROXY``, on by default in production) and only when ``REMOTE_ADDR`` is one of
  ``TRUSTED_PROXIES``, the right-most ``X-Forwarded-For`` entry that is not itself one of our
  proxies (entries to its left are whatever the client sent).
* :func:`axes_client_str` — how django-axes names a client in its log lines: no username,
  no address (those are in its database tables, which only administrators read).
* :class:`PersonalDataFilter` — a logging filter that scrubs anything looking like a codice
  fiscale, an e-mail address or a phone number from every log record, traceback included,
  and drops the request object that Django attaches to request errors.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_vary_headers

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Django's own debug pages (DEBUG only) use inline styles and scripts.
        if not (settings.DEBUG and response.status_code >= 400):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # includes no-store and private
            patch_vary_headers(response, ("Cookie",))
        return response


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``["127.0.0.1", "10.0.0.0/8"]`` as networks; ``ValueError`` names a bad entry."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"{value!r} is not an IP address or network") from exc
    return tuple(networks)


@lru_cache(maxsize=8)
def _trusted(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    if not settings.BEHIND_PROXY or remote is None:
        return remote
    proxies = _trusted(tuple(settings.TRUSTED_PROXIES))
    if not _is_trusted(remote, proxies):
        return remote  # a client talking to us directly: its X-Forwarded-For is its own
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    # From the right: each of our proxies appended the address it received from; the first
    # entry that is not one of our proxies is the client. Anything further left is forged.
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote  # garbage where our proxy writes an address: trust nothing
        if not _is_trusted(hop, proxies):
            return hop
    return hops[0] if hops else remote  # a request from inside our own proxies' network


def axes_client_str(
    username: str, ip_address: str, user_agent: str, path_info: str, request: HttpRequest
) -> str:
    return f"path={path_info}"


# --- Logs without personal data ------------------------------------------------------------

_OMOCODE_DIGIT = "[0-9LMNPQRSTUV]"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            rf"(?<![A-Za-z0-9])[A-Za-z]{{6}}{_OMOCODE_DIGIT}{{2}}[ABCDEHLMPRSTabcdehlmprst]"
            rf"{_OMOCODE_DIGIT}{{2}}[A-Za-z]{_OMOCODE_DIGIT}{{3}}[A-Za-z](?![A-Za-z0-9])",
        ),
        "[codice fiscale]",
    ),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[e-mail]"),
    # Italian numbers (mobile 3xx, landline 0x...), with or without +39/0039, and any number
    # written with an international prefix.
    (
        re.compile(
            r"(?<![\w.])(?:(?:\+|00)39[\s./-]?)?(?:3\d{2}|0\d{1,4})(?:[\s./-]?\d){5,8}(?![\w])"
        ),
        "[telefono]",
    ),
    (re.compile(r"(?<![\w])\+\d{1,3}(?:[\s./-]?\d){6,12}(?![\w])"), "[telefono]"),
]


def scrub(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class PersonalDataFilter(logging.Filter):
    """Rewrite the record in place: message, arguments and traceback, scrubbed."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        if record.exc_info:
            record.exc_text = self._formatter.formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        # Django's request-error records carry the whole request (POST body included).
        if hasattr(record, "request"):
            record.request = None
        return True
