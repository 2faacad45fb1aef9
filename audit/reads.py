"""Read access to a person's record: who opened which page about whom, and when.

The operators' views are not touched: :class:`ReadAccessMiddleware` looks at the resolved URL
of every successful (200) response and, when its name is in :data:`READ_VIEWS`, writes one
``auditlog.LogEntry`` with ``action=ACCESS`` for the object named by the URL's keyword
argument, with the URL name in ``additional_data["view"]``. One INSERT per page, no SELECT:
the content type is a subquery. A view that shows a person's data under another URL adds its
name here, or calls :func:`record_read` itself.
"""

from __future__ import annotations

from collections.abc import Callable

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Subquery
from django.http import HttpRequest, HttpResponse

from activitycr.security import client_ip

# URL name -> (app label, model name, URL keyword argument holding the primary key)
READ_VIEWS: dict[str, tuple[str, str, str]] = {
    "casework:person": ("casework", "person", "pk"),
    "casework:person_edit": ("casework", "person", "pk"),
    "casework:intake_close": ("casework", "intake", "pk"),
    "casework:meeting_add": ("casework", "intake", "pk"),
    "casework:referral_add": ("casework", "intake", "pk"),
    "casework:meeting_edit": ("casework", "meeting", "pk"),
    "casework:referral_edit": ("casework", "referral", "pk"),
    "casework:referral_outcome": ("casework", "referral", "pk"),
    "admin:casework_person_change": ("casework", "person", "object_id"),
    "admin:casework_intake_change": ("casework", "intake", "object_id"),
    "admin:casework_meeting_change": ("casework", "meeting", "object_id"),
    "admin:casework_referral_change": ("casework", "referral", "object_id"),
}


def _write(request: HttpRequest, *, app_label: str, model: str, pk: int, view: str) -> LogEntry:
    content_type = ContentType.objects.filter(app_label=app_label, model=model).values("pk")
    return LogEntry.objects.create(
        content_type_id=Subquery(content_type),
        object_pk=str(pk),
        object_id=pk,
        object_repr=f"{model} #{pk}",
        action=LogEntry.Action.ACCESS,
        actor=request.user,
        remote_addr=client_ip(request),
        additional_data={"view": view},
    )


def record_read(request: HttpRequest, obj: Model, *, view: str = "") -> LogEntry:
    """Log that ``request.user`` saw ``obj`` (a Person, Intake, Meeting or Referral)."""
    match = getattr(request, "resolver_match", None)
    return _write(
        request,
        app_label=obj._meta.app_label,
        model=obj._meta.model_name,
        pk=obj.pk,
        view=view or (match.view_name if match else ""),
    )


class ReadAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is None or response.status_code != 200:
            return response
        target = READ_VIEWS.get(match.view_name)
        if target is None or not request.user.is_authenticated:
            return response
        app_label, model, kwarg = target
        try:
            pk = int(match.kwargs[kwarg])
        except (KeyError, TypeError, ValueError):
            return response
        _write(request, app_label=app_label, model=model, pk=pk, view=match.view_name)
        return response
