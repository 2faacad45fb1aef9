"""The reference lists (partners, activities) and the report of cross-desk take-ins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib import admin
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from casework.admin.filters import DeskFilter
from casework.admin.scoping import MeetingCount, ReferralCount
from casework.models import (
    Activity,
    CrossDeskTakeIn,
    Intake,
    Partner,
)
from sportelli.models import Desk

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # What the mixins below are put in front of (at run time they are plain classes).
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object

_M = TypeVar("_M", bound=models.Model)


# --- Reference lists -----------------------------------------------------------------------


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "active", "referral_count")
    list_filter = ("kind", "active")
    search_fields = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(_referral_count=Count("referrals"))

    @admin.display(description=_("invii"), ordering="_referral_count")
    def referral_count(self, obj: WithAnnotations[Partner, ReferralCount]) -> int:
        return obj._referral_count


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "code", "active", "meeting_count")
    list_filter = ("active",)
    search_fields = ("name", "name_en", "code")
    prepopulated_fields = {"code": ("name",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(_meeting_count=Count("meetings", filter=Q(meetings__attended=True)))
        )

    @admin.display(description=_("colloqui svolti"), ordering="_meeting_count")
    def meeting_count(self, obj: WithAnnotations[Activity, MeetingCount]) -> int:
        return obj._meeting_count


# --- Cross-desk take-ins (the administrators' report) ---------------------------------------


@admin.register(CrossDeskTakeIn)
class CrossDeskTakeInAdmin(admin.ModelAdmin):
    """Every intake of a person whose cases were all at other desks, with the reason the
    operator gave (security review M6). Read-only: it is a record of what happened."""

    list_display = ("created_at", "person_link", "desk", "other_desk_names", "operator", "reason")
    list_filter = (DeskFilter.on("intake__desk"), "reason")
    date_hierarchy = "created_at"
    list_per_page = 100
    fields = ("intake", "reason", "note", "other_desks", "created_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .filter(intake__in=Intake.objects.visible_to(request.user))
            .select_related("intake__person", "intake__desk", "intake__operator")
            .prefetch_related("other_desks")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("persona"), ordering="intake__person_id")
    def person_link(self, obj: CrossDeskTakeIn) -> str:
        return f"#{obj.intake.person_id}"

    @admin.display(description=_("sportello"), ordering="intake__desk__name")
    def desk(self, obj: CrossDeskTakeIn) -> Desk:
        return obj.intake.desk

    @admin.display(description=_("sportelli che seguivano la persona"))
    def other_desk_names(self, obj: CrossDeskTakeIn) -> str:
        return ", ".join(d.name for d in obj.other_desks.all())

    @admin.display(description=_("operatore"), ordering="intake__operator__username")
    def operator(self, obj: CrossDeskTakeIn) -> str:
        return obj.intake.operator.get_username() if obj.intake.operator else "—"
