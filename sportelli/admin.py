"""Django admin for the territory and the desks.

Administrators keep the Casalasco district membership up to date here: the
``is_casalasco`` flag is editable straight from the list of comuni, and a change applies to
intakes taken from then on (past intakes keep the origin they were recorded with).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from sportelli.models import Comune, Country, Desk

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _OperatorCount(TypedDict):
    _operator_count: int


def warn_opening_unknown(request: HttpRequest) -> None:
    """A visible notice while an active desk has no opening date: its intakes cannot be
    checked against it (issue 10; see docs/operators.md)."""
    if request.method != "GET":
        return
    # Only the desks the user may see: an operator's page names no other desk.
    desks = Desk.objects.visible_to(request.user).opening_unknown()
    names = list(desks.values_list("name", flat=True))
    if names:
        messages.warning(
            request,
            format_lazy(
                _(
                    "Data di apertura non ancora registrata per: {names}. Le prese in carico "
                    "di questi sportelli non possono essere controllate rispetto all'apertura: "
                    "completarla in Sportelli."
                ),
                names=", ".join(names),
            ),
        )


class OpeningUnknownNotice(admin.ModelAdmin):
    """Admin pages that say which desks have no opening date yet."""

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        warn_opening_unknown(request)
        return super().changelist_view(request, extra_context)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        warn_opening_unknown(request)
        return super().changeform_view(request, object_id, form_url, extra_context)


@admin.register(Comune)
class ComuneAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "province",
        "region",
        "code",
        "istat_code",
        "is_casalasco",
        "is_rural",
        "active",
    )
    list_display_links = ("name",)
    list_editable = ("is_casalasco", "is_rural")
    list_filter = ("is_casalasco", "is_rural", "region", "province", "active")
    search_fields = ("name", "code", "istat_code")
    ordering = ("name",)
    list_per_page = 100
    fieldsets = (
        (None, {"fields": ("name", "code", "istat_code", "province", "province_name", "region")}),
        (_("Progetto"), {"fields": ("is_casalasco", "is_rural", "active")}),
    )

    def has_delete_permission(self, request, obj=None) -> bool:
        # Comuni come from ISTAT and are referenced by people and desks: deactivate instead.
        return False


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "code", "is_eu")
    list_filter = ("is_eu",)
    search_fields = ("name", "name_en", "code")
    ordering = ("name",)
    list_per_page = 100

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Desk)
class DeskAdmin(OpeningUnknownNotice, admin.ModelAdmin):
    list_display = ("name", "comune", "opening", "operator_count", "active")
    list_select_related = ("comune",)
    list_filter = ("active",)
    search_fields = ("name", "slug", "comune__name")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("comune",)
    filter_horizontal = ("operators",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "comune", "address", "active")}),
        (_("Apertura"), {"fields": ("opened_on", "opening_note")}),
        (_("Operatori"), {"fields": ("operators",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_operator_count=Count("operators"))

    @admin.display(description=_("data di apertura"), ordering="opened_on")
    def opening(self, obj: Desk) -> str:
        if obj.opened_on is None:
            return str(_("non nota: da completare"))
        return f"{obj.opened_on:%d/%m/%Y}"

    @admin.display(description=_("operatori"), ordering="_operator_count")
    def operator_count(self, obj: WithAnnotations[Desk, _OperatorCount]) -> int:
        return obj._operator_count
