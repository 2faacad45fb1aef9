"""The audit trail in Django admin, for administrators only (``auditlog.view_logentry``,
granted to the Amministratore role by ``audit/migrations/0001``).

* ``/admin/auditlog/logentry/`` — every entry, read-only; ``?persona=<id>`` narrows it to one
  person (their record, intakes, meetings and referrals; reads and changes).
* ``/admin/auditlog/logentry/persona/<id>/`` — "Storico accessi e modifiche" of one person,
  linked from the person's page in admin.

It also extends casework's case admins (:func:`audit_case_admins`): their rows in Django's
admin log name objects by id, without the special-category fields (security review M4), and
every export from them is an entry in the trail (M8).
"""

from __future__ import annotations

from auditlog.admin import LogEntryAdmin
from auditlog.filters import ResourceTypeFilter as AuditlogResourceTypeFilter
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportMixin

from activitycr.ids import MAX_ID, parse_id
from audit.adminlog import NamelessAdminLogMixin, NamelessImportLogMixin
from audit.reads import AuditedExportMixin
from audit.trail import describe, person_entries_filter, person_history
from casework.admin import ScopedAdmin, SearchByPostMixin, extend_admin


class PersonFilter(admin.SimpleListFilter):
    title = _("persona")
    parameter_name = "persona"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        person_id = parse_id(self.value())
        return [(str(person_id), f"#{person_id}")] if person_id else []

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        person_id = parse_id(value)
        if person_id is None:  # "²", a 30-digit number...: no person has that id
            return queryset.none()
        return queryset.filter(person_entries_filter(person_id))


class ResourceTypeFilter(AuditlogResourceTypeFilter):
    """django-auditlog's filter by model, which passed a 30-digit value to the database."""

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value is None:
            return queryset
        content_type_id = parse_id(value)
        if content_type_id is None:
            return queryset.none()
        return queryset.filter(content_type_id=content_type_id)


if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditEntryAdmin(SearchByPostMixin, LogEntryAdmin):
    list_filter = [PersonFilter, "action", ResourceTypeFilter]
    list_per_page = 100

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "persona/<int:person_id>/",
                self.admin_site.admin_view(self.person_history_view),
                name="audit_person_history",
            )
        ]
        return own + super().get_urls()

    def person_history_view(self, request: HttpRequest, person_id: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        if person_id > MAX_ID:  # the URL takes any digits; no id is that large
            raise Http404
        entries = [describe(e) for e in person_history(person_id)[:1000]]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Storico accessi e modifiche della persona #%(id)s") % {"id": person_id},
            "person_id": person_id,
            "entries": entries,
            "ACCESS": LogEntry.Action.ACCESS,
        }
        return TemplateResponse(request, "admin/audit/person_history.html", context)


# --- The case admins, audited -------------------------------------------------------------


def audit_case_admins(site: admin.AdminSite = admin.site) -> None:
    """Every case admin registered by casework (a ``ScopedAdmin``) logs by id in Django's
    admin log; those that import and export also name imported rows by id and record
    every export in the trail."""
    for model in apps.get_app_config("casework").get_models():
        if not site.is_registered(model):
            continue
        model_admin = site.get_model_admin(model)
        if not isinstance(model_admin, ScopedAdmin) or isinstance(
            model_admin, NamelessAdminLogMixin
        ):
            continue
        mixins: list[type] = [NamelessAdminLogMixin]
        if isinstance(model_admin, ExportMixin):
            mixins.append(AuditedExportMixin)
        if isinstance(model_admin, ImportMixin):
            mixins.append(NamelessImportLogMixin)
        extend_admin(model, *mixins, site=site)


audit_case_admins()
