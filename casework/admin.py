"""Django admin for the case records and the reference lists.

* Case lists (people, intakes, meetings, referrals) start from the scoped QuerySet methods
  (``visible_to``): an administrator sees every desk, anyone else only their own.
* Change lists run a fixed number of queries whatever the number of rows: related objects
  are joined (``list_select_related``), counts are annotated, foreign keys to large tables
  use autocomplete so a form never loads the 7,900 comuni into a select.
* People, intakes and meetings import and export through ``casework/resources.py`` (xlsx,
  csv): the preview lists every bad row, and a file with any bad row writes nothing.
* The apps above casework add to these admins with :func:`extend_admin`: ``audit`` names
  objects by id in Django's admin log and records every export (``audit/admin.py``),
  ``privacy`` adds the data-request actions to the people's admin (``privacy/admin.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, TypeVar, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR, ChangeList
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Count, ForeignKey, ManyToManyField, Q, QuerySet
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from activitycr.http import AnyUser, logged_in_user
from activitycr.ids import parse_id
from casework import searchref
from casework.models import (
    Activity,
    CrossDeskTakeIn,
    Intake,
    Meeting,
    Partner,
    Person,
    Referral,
)
from casework.permissions import sees_all_desks, sees_special_categories
from casework.resources import IntakeResource, MeetingResource, PersonResource
from casework.services import ConflictError
from sportelli.models import Desk

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # What the mixins below are put in front of (at run time they are plain classes).
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object

_M = TypeVar("_M", bound=models.Model)

SPECIAL_CATEGORY_FIELDS = ("has_disability", "is_minority", "foreign_background", "is_homeless")


# --- Filters -------------------------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, end - dt.timedelta(days=1)


class QuarterFilter(admin.SimpleListFilter):
    """Calendar quarters that hold data (one query), newest first."""

    title = _("trimestre")
    parameter_name = "trimestre"
    date_field = ""

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        base = (
            model_admin.scoped_base(request)
            if isinstance(model_admin, ScopedAdmin)
            else model_admin.get_queryset(request)
        )
        months = base.dates(self.date_field, "month", order="DESC")
        quarters = dict.fromkeys((m.year, (m.month - 1) // 3 + 1) for m in months)
        return [
            (
                f"{year}-{quarter}",
                gettext("%(q)d° trimestre %(year)d") % {"q": quarter, "year": year},
            )
            for year, quarter in quarters
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        try:
            year, quarter = (int(part) for part in value.split("-"))
            start, end = quarter_bounds(year, quarter)
        except ValueError:
            return queryset.none()
        return queryset.filter(**{f"{self.date_field}__gte": start, f"{self.date_field}__lte": end})

    @classmethod
    def on(cls, date_field: str) -> type[QuarterFilter]:
        return type(f"QuarterFilter_{date_field}", (cls,), {"date_field": date_field})


class DeskFilter(admin.SimpleListFilter):
    """The desks the user may see (no query per row; one query for the list of desks)."""

    title = _("sportello")
    parameter_name = "sportello"
    desk_path = "desk"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [
            (str(pk), name)
            for pk, name in Desk.objects.visible_to(request.user).values_list("pk", "name")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        desk_id = parse_id(value)
        if desk_id is None:  # "²", a 30-digit number...: no desk has that id
            return queryset.none()
        if self.desk_path == "intakes__desk":  # people: no duplicate rows
            return queryset.filter(
                pk__in=Intake.objects.filter(desk_id=desk_id).values("person_id")
            )
        return queryset.filter(**{f"{self.desk_path}_id": desk_id})

    @classmethod
    def on(cls, desk_path: str) -> type[DeskFilter]:
        return type(f"DeskFilter_{desk_path}", (cls,), {"desk_path": desk_path})


# --- Scoping -------------------------------------------------------------------------------


class _VisibleQuerySet(Protocol):
    def visible_to(self, user: AnyUser) -> QuerySet[Any]: ...


def visible(queryset: QuerySet[_M], user: AnyUser) -> QuerySet[_M]:
    """``queryset.visible_to(user)``, for a case record's QuerySet whose model is known only
    at run time (a scoped admin's): each has that method (``casework/models.py``), but mypy
    sees it only on the model's own QuerySet class."""
    return cast(_VisibleQuerySet, queryset).visible_to(user)


def scoped_choices(model: type[models.Model] | str | None, user: AnyUser) -> QuerySet[Any] | None:
    """What a foreign key to ``model`` may point at for ``user``: the desks, people and
    intakes they may see (None: a reference list, not scoped by desk)."""
    if model is Person:
        return Person.objects.visible_to(user)
    if model is Intake:
        return Intake.objects.visible_to(user)
    if model is Desk:
        return Desk.objects.visible_to(user)
    return None


def check_references(obj: models.Model, user: AnyUser) -> None:
    """Checked again on save: every desk, person and intake ``obj`` points at is one the user
    may see. The form already offers and accepts only those; this guards every other path."""
    for field in obj._meta.concrete_fields:
        if not field.is_relation:
            continue
        scoped = scoped_choices(field.related_model, user)  # None: not a desk, person, intake
        if scoped is None:
            continue
        target_id = getattr(obj, field.attname)
        if target_id is None:
            continue
        if not scoped.filter(pk=target_id).exists():
            raise PermissionDenied


# --- Searching without the term in the address ---------------------------------------------

SEARCH_REF_VAR = "_ricerca"  # the list's address carries this opaque reference, not ``q``
SEARCH_MAX_LENGTH = 200


class SearchByPostChangeList(ChangeList):
    """The search term comes from the session, named by the address's opaque reference."""

    def get_filters_params(self, params: dict[str, Any] | None = None) -> dict[str, Any]:
        lookup_params = super().get_filters_params(params)
        lookup_params.pop(SEARCH_REF_VAR, None)
        return lookup_params

    def get_queryset(
        self, request: HttpRequest, exclude_parameters: list[str | None] | None = None
    ) -> QuerySet[Any]:
        self.query = searchref.recall(request, request.GET.get(SEARCH_REF_VAR)) or ""
        return super().get_queryset(request, exclude_parameters)


class SearchByPostMixin(_ModelAdmin):
    """Admin lists of people's records: the search form is sent by POST and the list comes
    back at ``?_ricerca=<token>`` (``casework/searchref.py``), so no codice fiscale or
    surname is ever in an address, its links or its "preserved filters" (review M7). An
    address with ``?q=`` (typed by hand, an old bookmark) is turned into the same."""

    search_by_post = True  # read by templates/admin/search_form.html

    def get_changelist(self, request: HttpRequest, **kwargs: object) -> type[ChangeList]:
        return SearchByPostChangeList

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "POST" and "_search" in request.POST:
            return self._search_redirect(request, request.POST.get(SEARCH_VAR, ""))
        if SEARCH_VAR in request.GET:
            return self._search_redirect(request, request.GET.get(SEARCH_VAR, ""))
        return super().changelist_view(request, extra_context)

    def _search_redirect(self, request: HttpRequest, term: str) -> HttpResponseRedirect:
        params = request.GET.copy()
        for name in (SEARCH_VAR, SEARCH_REF_VAR, PAGE_VAR):
            params.pop(name, None)
        term = term.strip()[:SEARCH_MAX_LENGTH]
        if term:
            params[SEARCH_REF_VAR] = searchref.store(request, term)
        query = params.urlencode()
        return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))


# --- Optimistic concurrency in the admin -------------------------------------------------


class VersionedAdminForm(forms.ModelForm):
    """An admin change form that saves only over the version it was opened on.

    The form carries the record's ``version`` in a hidden field. If someone saved in between
    (an operator at the desk, another administrator, an import), the form comes back with
    what was typed, a message, and next to each field about to be overwritten the value
    saved now; the hidden version is brought up to date, so saving again is a deliberate
    overwrite, as on the desk's own edit pages (security review M5).
    """

    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["edit_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what ModelForm.clean() returns
        if self.instance.pk is None:
            return cleaned
        model = type(self.instance)
        # Locked until the admin's transaction ends: nobody saves between check and save.
        current = (
            model._default_manager.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if current is not None and cleaned.get("edit_version") != current:
            # The admin's form is bound to request.POST, a QueryDict: the copy is mutable.
            data = cast(QueryDict, self.data).copy()
            data[self.add_prefix("edit_version")] = str(current)
            self.data = data
            self.add_error(None, str(ConflictError(model)))
            for name in self.changed_data:
                if name in self.fields and name != "edit_version" and name not in self.errors:
                    self.add_error(
                        name,
                        gettext("Salvato ora: «%(value)s»")
                        % {"value": _shown(self.instance, name)},
                    )
        return cleaned


def _shown(instance: models.Model, name: str) -> str:
    """A field's stored value as a person reads it (for the conflict messages)."""
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(str(o) for o in getattr(instance, name).all()) or "—"
    if isinstance(field, models.Field) and field.choices:
        return str(getattr(instance, f"get_{name}_display")()) or "—"
    value = getattr(instance, name)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Sì") if value else gettext("No")
    return str(value) if isinstance(value, models.Model) else str(formats.localize(value))


class SafeInitialMixin(_ModelAdmin):
    """An add form's initial values come from its address (``?intake=12``); a foreign key
    given as anything but a plausible id ("²", 30 digits) is dropped instead of reaching
    the database, where it would overflow (security review L2)."""

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, str | list[str]]:
        initial = super().get_changeform_initial_data(request)
        for name in list(initial):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not field.is_relation or not field.related_model:
                continue
            values = initial[name] if isinstance(initial[name], list) else [initial[name]]
            if any(parse_id(str(v)) is None for v in values):
                del initial[name]
        return initial


class ScopedAdmin(SafeInitialMixin, SearchByPostMixin, admin.ModelAdmin):
    """Case records: the list, the change form, autocomplete and exports start from
    ``visible_to(user)``; superusers see everything. ``audit`` extends every one of them
    (``audit/admin.py``): their admin-log rows name objects by id only."""

    scoped_select_related: tuple[str, ...] = ()
    form = VersionedAdminForm

    def get_fieldsets(self, request: HttpRequest, obj: models.Model | None = None) -> list[Any]:
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and fieldsets:  # the hidden version, in the first fieldset
            name, options = fieldsets[0]
            fields = list(options.get("fields", ()))
            if "edit_version" not in fields:
                fieldsets[0] = (name, {**options, "fields": (*fields, "edit_version")})
        return fieldsets

    def scoped_base(self, request: HttpRequest) -> QuerySet[Any]:
        """The records this user may see, with nothing joined or annotated."""
        user = logged_in_user(request)
        qs = self.model._default_manager.all()
        return qs if user.is_superuser else visible(qs, user)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        user = logged_in_user(request)
        qs = super().get_queryset(request)
        if not user.is_superuser:
            qs = visible(qs, user)
        if self.scoped_select_related:
            qs = qs.select_related(*self.scoped_select_related)
        return qs

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        scoped = scoped_choices(db_field.related_model, logged_in_user(request))
        if scoped is not None:
            kwargs["queryset"] = scoped
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        check_references(obj, logged_in_user(request))
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        user = logged_in_user(request)
        for inline_form in formset.forms:
            if inline_form.has_changed() and inline_form.instance is not None:
                check_references(inline_form.instance, user)
        super().save_formset(request, form, formset, change)


class CaseImportExportAdmin(ImportExportModelAdmin, ScopedAdmin):
    """Exports follow the scoped list (and ``audit`` records each one). Imports are for
    administrators: a file may name any desk and any intake, so it needs every desk in scope
    as well as the add and change permissions. The preview shows messages, never
    tracebacks."""

    import_error_display = ("message",)

    def has_import_permission(self, request: HttpRequest) -> bool:
        return (
            sees_all_desks(request.user)
            and self.has_add_permission(request)
            and self.has_change_permission(request)
        )


def extend_admin(
    model: type[models.Model],
    *mixins: type,
    site: admin.AdminSite = admin.site,
    **attrs: object,
) -> type[admin.ModelAdmin]:
    """Register ``model`` again, with ``mixins`` (and class ``attrs``) in front of the admin
    class it has now: Django's way of adding to another app's admin (unregister, register a
    subclass). The apps above casework extend the case admins so, and casework knows none
    of them; each extension builds on the previous one, whatever the order."""
    current = type(site.get_model_admin(model))
    extended = type(current.__name__, (*mixins, current), attrs)
    site.unregister(model)
    site.register(model, extended)
    return extended


# --- Person --------------------------------------------------------------------------------


# The counts the change lists annotate (``get_queryset``), for mypy.
class _IntakeCount(TypedDict):
    _intake_count: int


class _MeetingCount(TypedDict):
    _meeting_count: int


class _ReferralCount(TypedDict):
    _referral_count: int


@admin.register(Person)
class PersonAdmin(CaseImportExportAdmin):
    resource_classes = [PersonResource]
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
    def intake_count(self, obj: WithAnnotations[Person, _IntakeCount]) -> int:
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

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # A codice fiscale is stored upper case without spaces: find it however it is typed.
        term = search_term.strip()
        if len(term.replace(" ", "")) == 16:
            term = term.replace(" ", "").upper()
        return super().get_search_results(request, queryset, term)


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
class IntakeAdmin(CaseImportExportAdmin):
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
    def meeting_count(self, obj: WithAnnotations[Intake, _MeetingCount]) -> int:
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
class ReferralAdmin(ScopedAdmin):
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


# --- Reference lists -----------------------------------------------------------------------


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "active", "referral_count")
    list_filter = ("kind", "active")
    search_fields = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(_referral_count=Count("referrals"))

    @admin.display(description=_("invii"), ordering="_referral_count")
    def referral_count(self, obj: WithAnnotations[Partner, _ReferralCount]) -> int:
        return obj._referral_count


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "active", "meeting_count")
    list_filter = ("active",)
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(_meeting_count=Count("meetings", filter=Q(meetings__attended=True)))
        )

    @admin.display(description=_("colloqui svolti"), ordering="_meeting_count")
    def meeting_count(self, obj: WithAnnotations[Activity, _MeetingCount]) -> int:
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
