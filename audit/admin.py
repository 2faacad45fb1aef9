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
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportMixin

from activitycr.ids import MAX_ID, parse_id
from audit.adminlog import NamelessAdminLogMixin, NamelessImportLogMixin
from audit.display import ACTION_LABELS, Described, describe_entries
from audit.reads import AuditedExportMixin
from audit.trail import person_entries_filter, person_history
from casework.admin import ScopedAdmin, SearchByPostMixin, extend_admin
from casework.admin.scoping import SearchByPostChangeList
from casework.models import Person


class PersonFilter(admin.SimpleListFilter):
    title = _("persona")
    parameter_name = "persona"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        person_id = parse_id(self.value())
        if not person_id:
            return []
        person = Person._base_manager.filter(pk=person_id).first()
        return [(str(person_id), str(person) if person else f"#{person_id}")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        person_id = parse_id(value)
        if person_id is None:  # "²", a 30-digit number...: no person has that id
            return queryset.none()
        return queryset.filter(person_entries_filter(person_id))


class ActionFilter(admin.SimpleListFilter):
    """By action, with the Italian labels of the list (creazione, modifica...)."""

    title = _("azione")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [(str(action), label) for action, label in ACTION_LABELS.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value is None:
            return queryset
        action = parse_id(value) if value != "0" else 0
        if action is None:
            return queryset.none()
        return queryset.filter(action=action)


class ResourceTypeFilter(AuditlogResourceTypeFilter):
    """django-auditlog's filter by model, which passed a 30-digit value to the database."""

    title = _("tipo di oggetto")

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        ids = model_admin.get_queryset(request).order_by().values_list("content_type_id", flat=True)
        named = []
        for content_type_id in ids.distinct():
            content_type = ContentType.objects.get_for_id(content_type_id)  # cached
            model = content_type.model_class()
            name = capfirst(model._meta.verbose_name_plural) if model else content_type.model
            named.append((content_type_id, name))
        return sorted(named, key=lambda pair: str(pair[1]))

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


class AuditChangeList(SearchByPostChangeList):
    """The page of entries, described all at once (:func:`describe_entries`: a query per
    model the page points at, not one per row)."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        self.result_list = list(self.result_list)
        for described in describe_entries(self.result_list):
            described.entry._described = described


def _described(entry: LogEntry) -> Described:
    described = getattr(entry, "_described", None)
    if described is None:  # the change page: one entry
        described = entry._described = describe_entries([entry])[0]
    return described


@admin.register(LogEntry)
class AuditEntryAdmin(SearchByPostMixin, LogEntryAdmin):
    """django-auditlog's list and entry page, in Italian and with names (audit/display.py)."""

    list_filter = [PersonFilter, ActionFilter, ResourceTypeFilter]
    list_per_page = 100
    list_display = ["when", "who", "action_label", "subject", "details"]
    list_display_links = ["when"]
    readonly_fields = ["when", "who", "action_label", "subject", "details", "remote_addr"]
    fieldsets = [(None, {"fields": tuple(readonly_fields)})]

    def get_changelist(self, request: HttpRequest, **kwargs: object) -> type[ChangeList]:
        return AuditChangeList

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, object] | None = None,
    ) -> HttpResponse:
        # The entry named in Italian (django-auditlog's own name is "Logged person #12").
        entry = self.get_object(request, unquote(object_id))
        if entry is not None:
            described = _described(entry)
            extra_context = {
                **(extra_context or {}),
                "subtitle": f"{capfirst(described.action)}: {described.subject}",
            }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("quando"), ordering="timestamp")
    def when(self, entry: LogEntry) -> str:
        return f"{timezone.localtime(entry.timestamp):%d/%m/%Y %H:%M:%S}"

    @admin.display(description=_("chi"), ordering="actor__username")
    def who(self, entry: LogEntry) -> str:
        return _described(entry).actor

    @admin.display(description=_("azione"), ordering="action")
    def action_label(self, entry: LogEntry) -> str:
        return _described(entry).action

    @admin.display(description=_("oggetto"))
    def subject(self, entry: LogEntry) -> str:
        return _described(entry).subject

    @admin.display(description=_("dettagli"))
    def details(self, entry: LogEntry) -> str:
        described = _described(entry)
        if entry.action == LogEntry.Action.ACCESS:
            return format_html("{} {}", _("pagina:"), described.page)
        if not described.changes:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><strong>{}</strong>: {}{}</li>",
                ((label, f"{old} → " if old else "", new) for label, old, new in described.changes),
            ),
        )

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
        entries = describe_entries(person_history(person_id)[:1000])
        person = Person._base_manager.filter(pk=person_id).first()
        if person is not None:
            title = _("Storico accessi e modifiche di %(name)s") % {"name": person}
        else:
            title = _("Storico accessi e modifiche della persona #%(id)s") % {"id": person_id}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
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
