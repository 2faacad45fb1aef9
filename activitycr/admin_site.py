"""The project's admin site: Django's, named after the product, with labelled form fields and
the autocomplete searched by POST.

Every admin registered on the site (the project's and the third-party apps') gets
:class:`LabelledFieldsMixin` in front of its class: a field without a ``<label>`` of its own
(the rows of a tabular inline, the editable columns of a list, the date and the time of a
date-and-time field) carries its label as ``aria-label``, so a screen reader names it
(axe-core rules ``label`` and ``select-name``, issue 12 item 8).

What is typed in an autocomplete widget (a surname, a codice fiscale) would otherwise travel
as ``/admin/autocomplete/?term=...`` and land in the proxy's access log and the browser's
history (security review M7). ``static/js/admin-autocomplete-post.js`` sends the widgets'
requests by POST with the page's CSRF token; the view here answers POST only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db import models
from django.forms.formsets import DELETION_FIELD_NAME, BaseFormSet
from django.forms.models import BaseModelFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object


class PostAutocompleteJsonView(AutocompleteJsonView):
    """Django's autocomplete view, reading its parameters from the POST body."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        # Django's view and its paginator read the term, the field and the page from
        # request.GET: give them the POST body (the address carries nothing). Both only
        # read it, so the POST body itself (read-only, like request.GET) will do.
        request.GET = request.POST
        return super().get(request, *args, **kwargs)


def label_fields(form_class: Any, *, every_field: bool) -> None:  # a form class
    """Give the widgets of ``form_class`` their field's label as ``aria-label``: the parts of
    a multi-part widget always (their ``<label>`` points at neither), every other visible
    widget when ``every_field`` (a table row, where the label is only a column header).
    Checkbox and radio lists are left alone: each option has its own ``<label>``."""
    for name, field in form_class.base_fields.items():
        widget = getattr(field.widget, "widget", field.widget)  # inside the "+" wrapper
        if widget.is_hidden or isinstance(widget, forms.RadioSelect):  # incl. checkbox lists
            continue
        label = capfirst(str(field.label if field.label is not None else name.replace("_", " ")))
        if isinstance(widget, forms.MultiWidget):
            if isinstance(widget, forms.SplitDateTimeWidget):
                parts = [gettext("data"), gettext("ora")]
            else:
                parts = [str(n) for n in range(1, len(widget.widgets) + 1)]
            for part, subwidget in zip(parts, widget.widgets, strict=False):
                subwidget.attrs["aria-label"] = f"{label}: {part}"
        elif every_field:
            widget.attrs["aria-label"] = label


class LabelledFieldsMixin(_ModelAdmin):
    """Labels for the fields Django's admin templates draw without one (see the module)."""

    def get_form(
        self, request: HttpRequest, obj: models.Model | None = None, change: bool = False, **kw: Any
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change=change, **kw)
        label_fields(form, every_field=False)
        return form

    def get_changelist_formset(
        self, request: HttpRequest, **kwargs: Any
    ) -> type[BaseModelFormSet[Any, Any]]:
        formset = super().get_changelist_formset(request, **kwargs)
        label_fields(formset.form, every_field=True)
        return formset

    def get_formsets_with_inlines(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> Iterator[tuple[type[BaseFormSet], admin.options.InlineModelAdmin[Any, Any]]]:
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            tabular = isinstance(inline, admin.TabularInline)
            label_fields(formset.form, every_field=tabular)
            yield (_with_labelled_delete(formset) if tabular else formset), inline


def _with_labelled_delete(formset: type[BaseFormSet]) -> type[BaseFormSet]:
    """The formset, whose rows' "delete" checkbox (added to each form when the formset is
    built, under the column header "Elimina?") is named too."""

    def add_fields(self: BaseFormSet, form: forms.BaseForm, index: int | None) -> None:
        formset.add_fields(self, form, index)
        if DELETION_FIELD_NAME in form.fields:
            form.fields[DELETION_FIELD_NAME].widget.attrs["aria-label"] = gettext("Elimina")

    return type(formset.__name__, (formset,), {"add_fields": add_fields})


@admin.action(
    permissions=["delete"],
    description=gettext_lazy("Elimina le righe selezionate (%(verbose_name_plural)s)"),
)
def delete_selected(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: models.QuerySet[Any]
) -> TemplateResponse | None:
    """Django's own action (confirmation page included), under a wording that agrees."""
    return django_delete_selected(modeladmin, request, queryset)


class CaseDeskAdminSite(admin.AdminSite):
    """Django's admin site under the product's name, every admin with labelled fields."""

    site_header = gettext_lazy("Activity.Cr — amministrazione")
    site_title = gettext_lazy("Activity.Cr — amministrazione")
    index_title = gettext_lazy("Sportelli lavoro del Consorzio Casalasco Servizi Sociali")
    # Django's side menu repeats the home page and takes 300 px from every list: without it
    # (and with the headers allowed to wrap, static/css/admin-site.css) the case lists show
    # every column at 1,280 px.
    enable_nav_sidebar = False

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
        # Django's Italian reads "Cancella persone selezionati" (UX audit C 34): one wording
        # that agrees whatever the model's gender.
        self.add_action(delete_selected, "delete_selected")

    def register(
        self,
        model_or_iterable: Any,
        admin_class: type[admin.ModelAdmin[Any]] | None = None,
        **options: Any,
    ) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, LabelledFieldsMixin):
            admin_class = type(
                admin_class.__name__,
                (LabelledFieldsMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        view = PostAutocompleteJsonView.as_view(admin_site=self)
        # as_view() is typed for any response; this view answers JsonResponse or a 405.
        return cast(HttpResponse, view(request))


class CaseDeskAdminConfig(AdminConfig):
    default_site = "activitycr.admin_site.CaseDeskAdminSite"


# --- Italian names for the third-party apps -------------------------------------------------

# (app label, model name or None for the app itself) -> (singular, plural) or the app's name.
THIRD_PARTY_NAMES: dict[str, Any] = {
    "axes": (
        gettext_lazy("Blocco degli accessi"),
        {
            "accessattempt": (
                gettext_lazy("tentativo di accesso fallito"),
                gettext_lazy("tentativi di accesso falliti"),
            ),
            "accessfailurelog": (
                gettext_lazy("accesso fallito"),
                gettext_lazy("accessi falliti"),
            ),
            "accesslog": (gettext_lazy("accesso"), gettext_lazy("registro degli accessi")),
            "accessattemptexpiration": (
                gettext_lazy("scadenza di un tentativo di accesso"),
                gettext_lazy("scadenze dei tentativi di accesso"),
            ),
        },
    ),
    "otp_totp": (
        gettext_lazy("Accesso a due fattori: app di autenticazione"),
        {
            "totpdevice": (
                gettext_lazy("app di autenticazione registrata"),
                gettext_lazy("app di autenticazione registrate"),
            ),
        },
    ),
    "django_otp": (gettext_lazy("Accesso a due fattori: app di autenticazione"), {}),
    "auditlog": (
        gettext_lazy("Registro delle attività"),
        {
            "logentry": (
                gettext_lazy("voce del registro"),
                gettext_lazy("registro accessi e modifiche"),
            ),
        },
    ),
    "django_tasks_database": (
        gettext_lazy("Attività in background"),
        {
            "dbtaskresult": (
                gettext_lazy("attività in background"),
                gettext_lazy("attività in background"),
            ),
        },
    ),
    "django_tasks": (gettext_lazy("Attività in background"), {}),
    "import_export": (gettext_lazy("Importazione ed esportazione"), {}),
    "contenttypes": (
        gettext_lazy("Tipi di contenuto"),
        {"contenttype": (gettext_lazy("tipo di contenuto"), gettext_lazy("tipi di contenuto"))},
    ),
}


def name_third_party_apps() -> None:
    """Give the third-party apps and their models Italian (translatable) names, as the
    admin's home page, lists, titles and breadcrumbs show them. Called when the apps are
    ready (``activitycr/apps.py``).

    Only what the admin reads is changed (``AppConfig.verbose_name`` and the models'
    ``_meta.verbose_name(_plural)``); ``_meta.original_attrs``, which the migrations are
    built from, keeps the libraries' own names, so no migration of theirs changes."""
    from django.apps import apps  # noqa: PLC0415 - only once the apps are loaded

    for app_label, (app_name, models_names) in THIRD_PARTY_NAMES.items():
        try:
            config = apps.get_app_config(app_label)
        except LookupError:  # an optional app that is not installed
            continue
        config.verbose_name = app_name
        for model_name, (singular, plural) in models_names.items():
            opts = config.get_model(model_name)._meta
            opts.verbose_name = singular
            opts.verbose_name_plural = plural
