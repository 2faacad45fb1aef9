"""Read access to a person's record: who opened which page about whom, and when; and every
bulk export: who exported what.

The operators' views are not touched: :class:`ReadAccessMiddleware` looks at the resolved URL
of every successful (200) response and, when its name is in :data:`READ_VIEWS`, writes one
``auditlog.LogEntry`` with ``action=ACCESS`` for the object named by the URL's keyword
argument (or, for :data:`READ_QUERY_VIEWS`, by a query parameter), with the URL name in
``additional_data["view"]``. One INSERT per page, no SELECT: the content type is a subquery.
A view that shows a person's data under another URL adds its name here, or calls
:func:`record_read` itself.

Exports (security review M8) are one ACCESS entry each, on the exported model with no object
id, and ``additional_data["export"]`` saying what left the system: the model, the number of
rows, the format, and the filters, period, desk or variant — never personal data (a search
term or a filter on a personal field is recorded as used, not by its value).
:class:`AuditedExportMixin` does it for django-import-export's admin exports; the review's
downloads call :func:`record_export` (``reports/exports.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.admin.options import IS_FACETS_VAR, IS_POPUP_VAR, TO_FIELD_VAR
from django.contrib.admin.views.main import ALL_VAR, ERROR_FLAG, ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Subquery
from django.http import HttpRequest, HttpResponse

from activitycr.security import client_ip
from audit.trail import MASK

if TYPE_CHECKING:
    from import_export.admin import ExportMixin

    class _ExportAdmin(ExportMixin, admin.ModelAdmin[Any]):
        """What :class:`AuditedExportMixin` is put in front of (``ExportMixin`` is Any to
        mypy: django-import-export ships no types)."""

else:
    _ExportAdmin = object

# URL name -> (app label, model name, URL keyword argument holding the primary key)
READ_VIEWS: dict[str, tuple[str, str, str]] = {
    "casework:person": ("casework", "person", "pk"),
    "casework:person_edit": ("casework", "person", "pk"),
    "followup:intake_close": ("casework", "intake", "pk"),
    "followup:task": ("followup", "followuptask", "pk"),
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
# URL name -> (app label, model name, query parameter holding the primary key)
READ_QUERY_VIEWS: dict[str, tuple[str, str, str]] = {
    "casework:intake_new": ("casework", "person", "persona"),  # take in a known person
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
        model=cast("str", obj._meta.model_name),  # None only before the class is built
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
        if match.view_name in READ_VIEWS:
            app_label, model, kwarg = READ_VIEWS[match.view_name]
            value = match.kwargs.get(kwarg)
        elif match.view_name in READ_QUERY_VIEWS:
            app_label, model, param = READ_QUERY_VIEWS[match.view_name]
            value = request.GET.get(param)
        else:
            return response
        if not request.user.is_authenticated:
            return response
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return response
        _write(request, app_label=app_label, model=model, pk=pk, view=match.view_name)
        return response


# --- Exports ---------------------------------------------------------------------------------


def record_export(
    request: HttpRequest,
    *,
    model: type[Model],
    rows: int,
    file_format: str,
    view: str = "",
    **details: Any,
) -> LogEntry:
    """Log that ``request.user`` exported ``rows`` rows of ``model``. ``details`` must hold
    no personal data: it is kept as long as the trail."""
    match = getattr(request, "resolver_match", None)
    opts = model._meta
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_pk="",
        object_id=None,
        object_repr=f"{opts.model_name} export ({rows})",
        action=LogEntry.Action.ACCESS,
        actor=request.user,
        remote_addr=client_ip(request),
        additional_data={
            "view": view or (match.view_name if match else ""),
            "export": {
                "model": opts.label_lower,
                "rows": rows,
                "format": file_format,
                **details,
            },
        },
    )


# Query parameters of an admin change list that are not filters.
_NOT_FILTERS = {ALL_VAR, ERROR_FLAG, IS_FACETS_VAR, IS_POPUP_VAR, ORDER_VAR, PAGE_VAR, TO_FIELD_VAR}
_FILTER_LOOKUPS = {"exact", "iexact", "in", "isnull", "gte", "lte", "gt", "lt", "year", "month"}
_FILTER_LOOKUPS |= {"day", "id__exact", "id__in", "pk__exact"}


def admin_filters(model_admin: admin.ModelAdmin, request: HttpRequest) -> dict[str, Any]:
    """The change-list filters an admin export ran with: the value of a list filter (desk,
    quarter, status, gender...), only the name of any other parameter (a lookup on a name or
    a codice fiscale is allowed by the admin), and whether a search was used."""
    names: set[str] = set()
    for entry in model_admin.get_list_filter(request):
        if isinstance(entry, type) and issubclass(entry, admin.SimpleListFilter):
            # Always set: a SimpleListFilter without one is refused when the list is built.
            names.add(cast("str", entry.parameter_name))
        elif isinstance(entry, (tuple, list)):
            names.add(str(entry[0]))
        elif isinstance(entry, str):
            names.add(entry)
    if model_admin.date_hierarchy:
        names.add(model_admin.date_hierarchy)

    def listed(key: str) -> bool:
        return any(
            key == name or (key.startswith(f"{name}__") and key[len(name) + 2 :] in _FILTER_LOOKUPS)
            for name in names
        )

    filters: dict[str, Any] = {}
    search = False
    for key, values in request.GET.lists():
        if key == SEARCH_VAR:
            search = any(v.strip() for v in values)
        elif key not in _NOT_FILTERS and not key.startswith("_"):  # _changelist_filters
            value = values[-1] if values else ""
            filters[key] = value[:100] if listed(key) else MASK
    summary: dict[str, Any] = {"filters": filters}
    if search:
        summary["search"] = True
    return summary


_AUDITED_EXPORT = "_audited_export"  # the request's note of what the export wrote


class AuditedExportMixin(_ExportAdmin):
    """For django-import-export admins (before ``ImportExportModelAdmin`` in the bases):
    every export that produces a file writes one ACCESS entry (:func:`record_export`)."""

    def get_data_for_export(self, request: HttpRequest, queryset: Any, **kwargs: Any) -> Any:
        data = super().get_data_for_export(request, queryset, **kwargs)
        # What get_export_data records once the file is written (per request: thread-safe).
        setattr(request, _AUDITED_EXPORT, {"rows": len(data), "columns": list(data.headers or [])})
        return data

    def get_export_data(
        self,
        file_format: Any,
        request: HttpRequest,
        queryset: Any,
        **kwargs: Any,
    ) -> Any:
        exported = super().get_export_data(file_format, request, queryset, **kwargs)
        written = getattr(request, _AUDITED_EXPORT, {"rows": 0, "columns": []})
        details = admin_filters(self, request)
        form = kwargs.get("export_form")
        selected = form.cleaned_data.get("export_items") if form is not None else None
        if selected:
            details["selected"] = len(selected)
        record_export(
            request,
            model=self.model,
            rows=written["rows"],
            file_format=file_format.get_extension(),
            columns=written["columns"],
            **details,
        )
        return exported
