"""The agenda in admin: read-only lists, scoped like the case records (an administrator sees
every desk, a staff operator their desks'). Appointments and consents are written from the
case page; a failed reminder is found here by its result."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from agenda.models import Appointment, ReminderConsent, ReminderMessage
from casework.models import Person


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["starts_at", "desk", "operator", "mode", "status", "person_id", "intake_id"]
    list_filter = ["status", "mode", "desk"]
    date_hierarchy = "starts_at"
    list_select_related = ["desk", "operator"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Appointment]:
        return Appointment.objects.visible_to(request.user)


@admin.register(ReminderMessage)
class ReminderMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "due_at",
        "kind",
        "channel",
        "days_before",
        "status",
        "attempts",
        "last_error",
        "sent_at",
        "appointment_id",
    ]
    list_filter = ["status", "channel", "kind"]
    date_hierarchy = "due_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReminderMessage]:
        return ReminderMessage.objects.filter(
            appointment__in=Appointment.objects.visible_to(request.user)
        )


@admin.register(ReminderConsent)
class ReminderConsentAdmin(ReadOnlyAdmin):
    list_display = ["person_id", "channel", "source", "given_on", "operator", "withdrawn_on"]
    list_filter = ["channel", "source"]
    list_select_related = ["operator"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReminderConsent]:
        return ReminderConsent.objects.filter(person__in=Person.objects.visible_to(request.user))
