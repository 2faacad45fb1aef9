"""People, intakes (with their meetings and referrals inline), meetings and referrals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, ManyToManyField, QuerySet
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from casework.admin.filters import DeskFilter, QuarterFilter
from casework.admin.scoping import (
    CaseImportExportAdmin,
    IntakeCount,
    MeetingCount,
    VersionedAdminForm,
)
from casework.fields import PhoneField
from casework.models import (
    SPECIAL_CATEGORY_FIELDS,
    Intake,
    Meeting,
    Person,
    Referral,
)
from casework.permissions import sees_special_categories
from casework.resources import (
    IntakeResource,
    MeetingResource,
    PersonResource,
    ReferralResource,
)
from sportelli.admin import OpeningUnknownNotice
from sportelli.models import Desk

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # What the mixins below are put in front of (at run time they are plain classes).
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object

_M = TypeVar("_M", bound=models.Model)


# --- Person --------------------------------------------------------------------------------


# The counts the change lists annotate (``get_queryset``), for mypy.


@admin.register(Person)
class PersonAdmin(CaseImportExportAdmin):
    resource_classes = [PersonResource]

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if db_field.name == "phone":
            kwargs["form_class"] = PhoneField  # the operators' rule: E.164 in, Italian out
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    list_display = (
        "last_name",
        "first_name",
        "fiscal_code",
        "birth_date",
        "gender",
        "residence_comune",
        "citizenship",
        "intake_count",
    )
    list_display_links = ("last_name", "first_name")
    list_select_related = ("residence_comune",)
    search_fields = ("last_name", "first_name", "fiscal_code")
    person_key = "search_key"  # accent-insensitive, as the desk's search (PersonKeySearchMixin)
    list_filter = (DeskFilter.on("intakes__desk"), "gender", "citizenship", "education")
    date_hierarchy = "created_at"
    autocomplete_fields = (
        "birthplace_comune",
        "birthplace_country",
        "residence_comune",
        "residence_country",
    )
    readonly_fields = ("anonymised_at", "version", "created_at", "updated_at")
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(_intake_count=Count("intakes"))

    @admin.display(description=_("prese in carico"), ordering="_intake_count")
    def intake_count(self, obj: WithAnnotations[Person, IntakeCount]) -> int:
        return obj._intake_count

    def get_fieldsets(self, request: HttpRequest, obj: models.Model | None = None) -> list[Any]:
        fieldsets: list[Any] = [
            (
                None,
                {
                    "fields": (
                        "fiscal_code",
                        ("last_name", "first_name"),
                        ("birth_date", "gender"),
                        ("birthplace_comune", "birthplace_country"),
                        ("residence_comune", "residence_country"),
                        ("citizenship", "education"),
                    )
                },
            ),
            (_("Contatti e privacy"), {"fields": ("email", "phone", "privacy_ack_on")}),
        ]
        if sees_special_categories(request.user):
            fieldsets.append(
                (
                    _("Dati particolari (art. 9 GDPR)"),
                    {"fields": SPECIAL_CATEGORY_FIELDS, "classes": ("collapse",)},
                )
            )
        fieldsets.append(
            (
                _("Registrazione"),
                {"fields": self.readonly_fields, "classes": ("collapse",)},
            )
        )
        return fieldsets


# --- Intake with its meetings and referrals ------------------------------------------------


class MeetingInline(admin.TabularInline):
    model = Meeting
    extra = 0
    fields = (
        "held_on",
        "start_time",
        "mode",
        "duration_minutes",
        "activities",
        "attended",
        "next_appointment_at",
        "operator",
    )
    autocomplete_fields = ("operator",)
    show_change_link = True

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        if db_field.name == "activities":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ReferralInline(admin.TabularInline):
    model = Referral
    extra = 0
    fields = ("kind", "partner", "description", "referred_on", "outcome", "outcome_on")
    show_change_link = True


class IntakeAdminForm(VersionedAdminForm):
    class Meta:
        model = Intake
        fields = ("opened_on",)  # the admin builds the full form from its fieldsets

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        opened_on = cleaned.get("opened_on")
        if opened_on and self.instance.pk:
            # The database refuses it too (casework_intake_before_its_meetings): say it here.
            first_meeting = self.instance.meetings.filter(held_on__lt=opened_on).first()
            first_referral = self.instance.referrals.filter(referred_on__lt=opened_on).first()
            if first_meeting or first_referral:
                self.add_error(
                    "opened_on",
                    _(
                        "Ci sono colloqui o invii precedenti a questa data: la presa in carico "
                        "non può essere spostata dopo di loro."
                    ),
                )
        return cleaned


@admin.register(Intake)
class IntakeAdmin(OpeningUnknownNotice, CaseImportExportAdmin):
    form = IntakeAdminForm
    resource_classes = [IntakeResource]
    list_display = (
        "id",
        "person",
        "desk",
        "opened_on",
        "status",
        "age_band",
        "gender",
        "origin",
        "meeting_count",
    )
    list_display_links = ("id", "person")
    list_select_related = ("person", "desk")
    scoped_select_related = ("person", "desk")
    search_fields = ("person__last_name", "person__first_name", "person__fiscal_code")
    person_key = "person__search_key"
    list_filter = (
        DeskFilter.on("desk"),
        QuarterFilter.on("opened_on"),
        "status",
        "origin",
        "age_band",
        "channel",
        "labour_status",
    )
    date_hierarchy = "opened_on"
    autocomplete_fields = ("person", "operator")
    inlines = (MeetingInline, ReferralInline)
    readonly_fields = (
        "age_at_intake",
        "age_band",
        "esf_age_band",
        "gender",
        "origin",
        "residence_comune",
        "citizenship",
        "isced_band",
        "version",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("person", "desk", "opened_on", "operator", "channel")}),
        (
            _("Bisogni e condizione"),
            {
                "fields": (
                    "main_need",
                    "needs",
                    "labour_status",
                    "unemployment_months",
                    "recent_graduate",
                    "returning_after_care",
                )
            },
        ),
        (_("Chiusura"), {"fields": ("status", "closed_on", "closure_reason", "closure_note")}),
        (
            _("Dati alla presa in carico (calcolati)"),
            {
                "fields": (
                    ("age_at_intake", "age_band", "esf_age_band"),
                    ("gender", "citizenship", "isced_band"),
                    ("origin", "residence_comune"),
                    ("version", "created_at", "updated_at"),
                ),
                "classes": ("collapse",),
            },
        ),
    )
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(_meeting_count=Count("meetings"))

    @admin.display(description=_("colloqui"), ordering="_meeting_count")
    def meeting_count(self, obj: WithAnnotations[Intake, MeetingCount]) -> int:
        return obj._meeting_count


# --- Meeting and referral ------------------------------------------------------------------


@admin.register(Meeting)
class MeetingAdmin(CaseImportExportAdmin):
    resource_classes = [MeetingResource]
    list_display = (
        "held_on",
        "start_time",
        "person",
        "desk",
        "intake_link",
        "mode",
        "duration_minutes",
        "attended",
    )
    list_display_links = ("held_on",)
    list_select_related = ("intake__person", "intake__desk")
    scoped_select_related = ("intake__person", "intake__desk")
    search_fields = (
        "intake__person__last_name",
        "intake__person__first_name",
        "intake__person__fiscal_code",
    )
    person_key = "intake__person__search_key"
    list_filter = (
        DeskFilter.on("intake__desk"),
        QuarterFilter.on("held_on"),
        "mode",
        "attended",
        "intake__status",
    )
    date_hierarchy = "held_on"
    autocomplete_fields = ("intake", "operator")
    readonly_fields = ("version", "created_at", "updated_at")
    list_per_page = 50

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        if db_field.name == "activities":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("persona"), ordering="intake__person__last_name")
    def person(self, obj: Meeting) -> Person:
        return obj.intake.person

    @admin.display(description=_("sportello"), ordering="intake__desk__name")
    def desk(self, obj: Meeting) -> Desk:
        return obj.intake.desk

    @admin.display(description=_("presa in carico"), ordering="intake_id")
    def intake_link(self, obj: Meeting) -> str:
        return f"#{obj.intake_id}"


@admin.register(Referral)
class ReferralAdmin(CaseImportExportAdmin):
    resource_classes = [ReferralResource]
    list_display = (
        "referred_on",
        "kind",
        "partner",
        "person",
        "desk",
        "outcome",
        "outcome_on",
    )
    list_display_links = ("referred_on", "kind")
    list_select_related = ("intake__person", "intake__desk", "partner")
    scoped_select_related = ("intake__person", "intake__desk", "partner")
    search_fields = (
        "intake__person__last_name",
        "intake__person__first_name",
        "intake__person__fiscal_code",
        "description",
    )
    person_key = "intake__person__search_key"
    list_filter = (
        DeskFilter.on("intake__desk"),
        QuarterFilter.on("referred_on"),
        "kind",
        "outcome",
        "partner",
    )
    date_hierarchy = "referred_on"
    autocomplete_fields = ("intake",)
    readonly_fields = ("version", "created_at", "updated_at")
    list_per_page = 50

    @admin.display(description=_("persona"), ordering="intake__person__last_name")
    def person(self, obj: Referral) -> Person:
        return obj.intake.person

    @admin.display(description=_("sportello"), ordering="intake__desk__name")
    def desk(self, obj: Referral) -> Desk:
        return obj.intake.desk
