"""django-auditlog's actor middleware, with the client address taken the way the rest of the
site takes it (``activitycr.security.client_ip``: not the spoofable left-most
``X-Forwarded-For`` entry)."""

from __future__ import annotations

from auditlog.middleware import AuditlogMiddleware
from django.http import HttpRequest

from activitycr.security import client_ip


class AuditActorMiddleware(AuditlogMiddleware):
    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        return client_ip(request)
