"""Admin for privacy notices and acknowledgements (models of ``casework``: they are part of
taking someone in), and the two data-request actions (subject-access export, erasure) added
to the people's admin list.

The people's admin belongs to ``casework/admin/``; :func:`attach_data_request_actions`
extends whatever admin is registered for Person (``casework.admin.extend_admin``).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activitycr.http import logged_in_user
from audit.adminlog import NamelessAdminLogMixin
from audit.reads import record_read
from casework.admin import SafeInitialMixin, SearchByPostMixin, extend_admin, visible
from casework.models import Person, PrivacyAcknowledgement, PrivacyNotice
from privacy import services

logger = logging.getLogger(__name__)
DATA_REQUESTS_PERMISSION = "casework.handle_data_requests"


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    list_display = ["version", "valid_from", "created_at"]
    ordering = ["-valid_from"]


@admin.register(PrivacyAcknowledgement)
class PrivacyAcknowledgementAdmin(
    NamelessAdminLogMixin, SafeInitialMixin, SearchByPostMixin, admin.ModelAdmin
):
    """Acknowledgements of the people the user may see, like every case record: the list,
    the change form and the person a new one is for (checked again on save)."""

    list_display = ["id", "person_id", "notice", "acknowledged_on", "channel", "operator"]
    list_filter = ["notice", "channel"]
    list_select_related = ["notice", "operator"]
    autocomplete_fields = ["person"]  # offers, and renders, only the scoped people
    date_hierarchy = "acknowledged_on"

    def get_queryset(self, request: HttpRequest) -> QuerySet[PrivacyAcknowledgement]:
        return visible(super().get_queryset(request), logged_in_user(request))

    def formfield_for_foreignkey(
        self,
        db_field: ForeignKey[Any, Any],
        request: HttpRequest,
        **kwargs: Any,
    ) -> ModelChoiceField | None:
        if db_field.name == "person":
            kwargs["queryset"] = Person.objects.visible_to(logged_in_user(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: PrivacyAcknowledgement, form: Any, change: bool
    ) -> None:
        user = logged_in_user(request)
        if not Person.objects.visible_to(user).filter(pk=obj.person_id).exists():
            raise PermissionDenied
        super().save_model(request, obj, form, change)


@admin.action(
    description=gettext_lazy("Esporta i dati della persona (richiesta di accesso, JSON)"),
    permissions=["handle_data_requests"],
)
def export_subject_access(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Person]
) -> HttpResponse:
    people = list(queryset.order_by("pk"))
    payload = [services.subject_access_data(person=p) for p in people]
    body = json.dumps(
        payload[0] if len(payload) == 1 else payload,
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        indent=2,
    )
    for p in people:
        logger.info("subject access export of person id=%s by user id=%s", p.pk, request.user.pk)
        # The export is a read of the whole record.
        record_read(request, p, view="privacy:subject_access_export")
    # The file is named by id, never by name or codice fiscale.
    name = f"accesso-persona-{people[0].pk}.json" if len(people) == 1 else "accesso-persone.json"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@admin.action(
    description=gettext_lazy("Anonimizza su richiesta (cancellazione, irreversibile)"),
    permissions=["handle_data_requests"],
)
def erase_people(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Person]
) -> TemplateResponse | None:
    people = list(queryset.filter(anonymised_at__isnull=True).order_by("pk"))
    if request.POST.get("confirm") == "yes":
        for person in people:
            services.anonymise_person(person=person, by=logged_in_user(request))
        modeladmin.message_user(
            request,
            _("Persone anonimizzate: %(count)d.") % {"count": len(people)},
            messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Anonimizzare su richiesta?"),
        "people": people,
        "opts": modeladmin.model._meta,
        "action_name": "erase_people",
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "privacy/admin/confirm_erasure.html", context)


class DataRequestsMixin:
    """On the people's admin: who may use the two data-request actions."""

    def has_handle_data_requests_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(DATA_REQUESTS_PERMISSION)


def attach_data_request_actions(site: admin.AdminSite = admin.site) -> bool:
    """Add the two actions to the registered Person admin; False if there is none."""
    if not site.is_registered(Person):
        return False
    current = site.get_model_admin(Person)
    if not isinstance(current, DataRequestsMixin):
        actions = [*(type(current).actions or []), export_subject_access, erase_people]
        extend_admin(Person, DataRequestsMixin, site=site, actions=actions)
    return True


attach_data_request_actions()
