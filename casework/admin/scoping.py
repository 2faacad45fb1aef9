"""What every case admin shares: foreign keys and saves scoped to what the user may see, the
search sent by POST behind an opaque reference, the version check of the change forms, safe
initial values, and :func:`extend_admin` for the apps above casework."""

from __future__ import annotations

import contextlib
import uuid
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, TypeVar, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR, ChangeList
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models, transaction
from django.db.models import ForeignKey, Q, QuerySet
from django.forms import ModelChoiceField
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm, SelectableFieldsExportForm

from activitycr.http import AnyUser, logged_in_user
from activitycr.ids import parse_id
from casework import importjobs, searchref, tasks
from casework.editing import shown_value
from casework.models import (
    ImportJob,
    ImportPhase,
    ImportState,
    Intake,
    Person,
    search_text,
)
from casework.permissions import sees_all_desks
from casework.resources import files, import_report
from casework.services import ConflictError
from sportelli.models import Desk

if TYPE_CHECKING:
    # What the mixins below are put in front of (at run time they are plain classes).
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object

_M = TypeVar("_M", bound=models.Model)


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
SEARCH_MAX_WORDS = 5  # as the desk's search
PERSON_KEY_FIELDS = ("last_name", "first_name", "fiscal_code")  # what Person.search_key holds


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


class PersonKeySearchMixin(_ModelAdmin):
    """The admin's search finds people as the desk's search does (``search_people``):
    every word typed, lower case and without accents, inside ``Person.search_key``
    ("surname name cf"), so "nicolo" finds Nicolò and a codice fiscale is found however it
    is typed. ``person_key`` is the path to that key from the listed model; the other
    ``search_fields`` (not about the person) are searched as Django does, word by word."""

    person_key = ""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        typed = search_term.split()[:SEARCH_MAX_WORDS]
        if not self.person_key or not typed:
            return super().get_search_results(request, queryset, search_term)
        prefix = self.person_key.removesuffix("search_key")  # "", "person__", "intake__person__"
        in_key = {f"{prefix}{name}" for name in PERSON_KEY_FIELDS}
        others = [f for f in self.get_search_fields(request) if f not in in_key]
        condition = Q()
        for word in typed:
            matches_word = Q(**{f"{self.person_key}__contains": search_text(word)})
            for name in others:
                matches_word |= Q(**{f"{name}__icontains": word})
            condition &= matches_word
        return queryset.filter(condition), False


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
                        % {"value": shown_value(self.instance, name)},
                    )
        return cleaned


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


class ScopedAdmin(SafeInitialMixin, PersonKeySearchMixin, SearchByPostMixin, admin.ModelAdmin):
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


def leave_session_unsaved(request: HttpRequest) -> None:
    """This answer does not renew the session (``SESSION_SAVE_EVERY_REQUEST`` otherwise
    saves it): a background import's page and its status, asked every second, are no sign
    that someone is at the keyboard, and on SQLite, while the worker's import holds the
    database's only write lock, saving the session would wait for the whole import."""
    session = getattr(request, "session", None)
    if session is not None:
        session.save = lambda *args, **kwargs: None


class ItalianImportForm(ImportForm):
    """django-import-export's upload form, in Italian, refusing a file over the size limit
    before it is copied anywhere."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].label = gettext("Tipo di dati")
        self.fields["format"].label = gettext("Formato")
        self.fields["import_file"].label = gettext("File da importare")
        self.fields["import_file"].help_text = gettext(
            "xlsx, oppure csv separato da punto e virgola o da virgola (UTF-8 o Windows-1252)."
        )

    def clean_import_file(self) -> Any:
        upload = self.cleaned_data["import_file"]
        try:
            files.check_upload_size(upload.size or 0)
        except files.ImportFileError as exc:
            raise forms.ValidationError(exc.message) from None
        return upload


class ItalianExportForm(SelectableFieldsExportForm):
    """The export form with each column named as the model names it, in Italian."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].label = gettext("Tipo di dati")
        self.fields["format"].label = gettext("Formato")

    def _get_field_label(self, resource: Any, field_name: str) -> str:
        field = resource.fields.get(field_name)
        column = field.column_name if field else field_name
        model = resource._meta.model
        label = column.replace("_", " ")
        attribute = (field.attribute or "") if field else ""
        if attribute and "__" not in attribute:
            with contextlib.suppress(FieldDoesNotExist):
                label = str(model._meta.get_field(attribute).verbose_name)
        return f"{label[:1].upper()}{label[1:]} ({column})"


class CaseImportExportAdmin(ImportExportModelAdmin, ScopedAdmin):
    """Exports follow the scoped list (and ``audit`` records each one). Imports are for
    administrators: a file may name any desk and any intake, so it needs every desk in scope
    as well as the add and change permissions. The preview shows messages, never
    tracebacks; the uploaded file waits in a private directory and is removed as soon as it
    is no longer needed (``casework.resources.files``)."""

    import_error_display = ("message",)
    import_form_class = ItalianImportForm
    export_form_class = ItalianExportForm
    tmp_storage_class = files.PrivateImportStorage
    import_template_name = "admin/import_export/import.html"

    def has_import_permission(self, request: HttpRequest) -> bool:
        return (
            sees_all_desks(request.user)
            and self.has_add_permission(request)
            and self.has_change_permission(request)
        )

    def get_import_formats(self) -> list[type]:
        return [files.ImportXLSX, files.ImportCSV]

    def write_to_tmp_storage(self, import_file: Any, input_format: Any) -> Any:
        storage = files.PrivateImportStorage()
        storage.save_chunks(import_file.chunks())
        return storage

    def add_data_read_fail_error_to_form(self, form: forms.Form, e: Exception) -> None:
        if isinstance(e, files.ImportFileError):
            form.add_error("import_file", e.message)
        else:
            form.add_error(
                "import_file",
                gettext(
                    "Il file non si legge: controllare di aver scelto il formato giusto "
                    "(xlsx o csv) e salvarlo di nuovo da Excel."
                ),
            )

    def import_action(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        """The library's upload and preview (``ImportMixin.import_action``), with the
        preview run by :func:`importjobs.run_import` and, for a file of more than
        ``IMPORT_BACKGROUND_ROWS`` rows, handed to the background worker once the file has
        been read and found whole: the administrator is sent to the job's page."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        files.sweep()
        importjobs.sweep()
        import_form = self.create_import_form(request)
        context = self.get_import_context_data()
        import_file = None  # the upload; its private copy is removed unless kept
        keep = False
        try:
            if request.method == "POST" and import_form.is_valid():
                import_file = import_form.cleaned_data["import_file"]
                redirect = self._preview(request, import_form, context)
                if redirect is not None:
                    keep = True  # the background import's
                    return redirect
                keep = bool(context.get("confirm_form"))  # for the confirmation
            resources = [
                resource_class(
                    **self.get_import_resource_kwargs(request=request, form=import_form, **kwargs)
                )
                for resource_class in self.get_import_resource_classes(request)
            ]
            context.update(self.admin_site.each_context(request))
            context["title"] = gettext("Importa %(what)s") % {
                "what": self.model._meta.verbose_name_plural
            }
            context["form"] = import_form
            context["opts"] = self.model._meta
            context["media"] = self.media + import_form.media
            context["fields_list"] = [
                (
                    resource.get_display_name(),
                    [f.column_name for f in resource.get_user_visible_fields()],
                )
                for resource in resources
            ]
            context["import_error_display"] = self.import_error_display
            if context.get("result") is not None:
                context["report"] = import_report(context["result"])
            request.current_app = self.admin_site.name
            return TemplateResponse(request, [self.import_template_name], context)
        finally:
            # _preview notes the copy's name on the upload (also when it failed to read).
            tmp_name = getattr(import_file, "tmp_storage_name", None)
            if tmp_name and not keep:
                files.PrivateImportStorage(name=tmp_name).remove()

    def _preview(
        self, request: HttpRequest, import_form: forms.Form, context: dict[str, Any]
    ) -> HttpResponse | None:
        """Keep the upload, read it, and preview it here (the result goes into ``context``)
        or, when it is large, queue its preview and answer with the job's page."""
        input_format = self.get_import_formats()[int(import_form.cleaned_data["format"])]()
        import_file = import_form.cleaned_data["import_file"]
        try:
            storage = self.write_to_tmp_storage(import_file, input_format)
            import_file.tmp_storage_name = storage.name
            dataset = input_format.create_dataset(storage.read())
        except Exception as exc:  # any unreadable file: one Italian message on the form
            self.add_data_read_fail_error_to_form(import_form, exc)
            return None
        resource_class = self.choose_import_resource_class(import_form, request)
        user = logged_in_user(request)
        if len(dataset) > importjobs.background_rows():
            problems = importjobs.header_problems(resource_class, dataset, user=user)
            if problems is not None:
                context["result"] = problems
                return None
            with transaction.atomic():
                job = importjobs.create(
                    user=user,
                    resource_class=resource_class,
                    file_name=storage.name,
                    file_format=input_format.get_extension(),
                    rows=len(dataset),
                )
                tasks.start_preview(job)
            return HttpResponseRedirect(self._job_url("import_job", job))
        result = importjobs.run_import(resource_class, dataset, user=user, dry_run=True)
        context["result"] = result
        if importjobs.succeeded(result):
            context["confirm_form"] = self.create_confirm_form(request, import_form=import_form)
        return None

    def process_dataset(
        self, dataset: Any, form: forms.Form, request: HttpRequest, **kwargs: Any
    ) -> Any:
        """The confirmed import, as the background worker runs it (:func:`run_import`)."""
        resource_class = self.choose_import_resource_class(form, request)
        return importjobs.run_import(
            resource_class, dataset, user=logged_in_user(request), dry_run=False
        )

    # --- Background imports (casework/importjobs.py) --------------------------------------

    def get_urls(self) -> list[URLPattern]:
        info = self.get_model_info()
        wrap = self.admin_site.admin_view
        return [
            path(
                "import/lavoro/<uuid:job_id>/",
                wrap(self.import_job_view),
                name="{}_{}_import_job".format(*info),
            ),
            path(
                "import/lavoro/<uuid:job_id>/stato/",
                wrap(self.import_job_status),
                name="{}_{}_import_job_status".format(*info),
            ),
            path(
                "import/lavoro/<uuid:job_id>/conferma/",
                wrap(self.import_job_confirm),
                name="{}_{}_import_job_confirm".format(*info),
            ),
            *super().get_urls(),
        ]

    def _job_url(self, name: str, job: ImportJob) -> str:
        info = self.get_model_info()
        return reverse(
            "admin:{}_{}_{}".format(*info, name),
            kwargs={"job_id": job.pk},
            current_app=self.admin_site.name,
        )

    def _own_job(self, request: HttpRequest, job_id: uuid.UUID) -> ImportJob:
        """The job, if it is this user's and of this list; anyone else's is a 404."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = ImportJob.objects.filter(
            pk=job_id, user=logged_in_user(request), model=self.model._meta.label_lower
        ).first()
        if job is None:
            raise Http404
        return job

    def import_job_view(self, request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        job = self._own_job(request, job_id)
        outcome = importjobs.outcome(job)
        if outcome == "waiting":
            leave_session_unsaved(request)
        done = importjobs.rows_done(job)
        report = job.report or {}
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Importa %(what)s") % {"what": self.model._meta.verbose_name_plural},
            "opts": self.model._meta,
            "job": job,
            "outcome": outcome,
            "report": report,
            "phase_label": ImportPhase(job.phase).label,
            "state_label": ImportState(job.state).label,
            "done": done,
            "stalled": importjobs.stalled(job),
            "total": job.rows_total,
            "progress_text": importjobs.progress_text(done, job.rows_total),
            "status_url": self._job_url("import_job_status", job),
            "confirm_url": self._job_url("import_job_confirm", job),
            "success_message": importjobs.success_message(
                str(self.model._meta.verbose_name_plural),
                int(report.get("new", 0)),
                int(report.get("update", 0)),
            ),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, ["admin/import_export/import_job.html"], context)

    def import_job_status(self, request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        job = self._own_job(request, job_id)
        leave_session_unsaved(request)
        return JsonResponse(importjobs.status(job))

    def import_job_confirm(self, request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = self._own_job(request, job_id)
        tasks.confirm(job)  # not ready, bad rows, confirmed already: the page says which
        return HttpResponseRedirect(self._job_url("import_job", job))

    def process_import(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        import_url = reverse(
            "admin:{}_{}_import".format(*self.get_model_info()), current_app=self.admin_site.name
        )
        if not confirm_form.is_valid():
            messages.error(request, gettext("Conferma non valida: caricare di nuovo il file."))
            return HttpResponseRedirect(import_url)
        storage = None
        try:
            storage = files.PrivateImportStorage(name=confirm_form.cleaned_data["import_file_name"])
            input_format = self.get_import_formats()[int(confirm_form.cleaned_data["format"])]()
            dataset = input_format.create_dataset(storage.read())
            result = self.process_dataset(dataset, confirm_form, request, **kwargs)
        except (files.ImportFileError, ValueError, IndexError) as exc:
            message = exc.message if isinstance(exc, files.ImportFileError) else None
            messages.error(request, message or gettext("Caricare di nuovo il file."))
            return HttpResponseRedirect(import_url)
        finally:
            if storage is not None:
                storage.remove()
        if result.has_errors() or result.has_validation_errors():
            # Changed in between (another import, an operator): nothing was written.
            messages.error(
                request,
                gettext(
                    "Nessuna riga importata: nel frattempo i dati sono cambiati e alcune righe "
                    "non sono più valide. Caricare di nuovo il file per vederle."
                ),
            )
            return HttpResponseRedirect(import_url)
        return self.process_result(result, request)

    def add_success_message(self, result: Any, request: HttpRequest) -> None:
        totals = result.totals
        messages.success(
            request,
            importjobs.success_message(
                str(self.model._meta.verbose_name_plural),
                totals.get("new", 0),
                totals.get("update", 0),
            ),
        )

    def get_export_filename(self, request: HttpRequest, queryset: Any, file_format: Any) -> str:
        name = slugify(str(self.model._meta.verbose_name_plural))
        return f"{name}-{timezone.localdate().isoformat()}.{file_format.get_extension()}"

    def init_request_context_data(self, request: HttpRequest, form: Any) -> dict[str, Any]:
        context = super().init_request_context_data(request, form)
        context["title"] = gettext("Esporta %(what)s") % {
            "what": self.model._meta.verbose_name_plural
        }
        return context


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


# Counts the change lists annotate (``WithAnnotations`` for their display methods).
class IntakeCount(TypedDict):
    _intake_count: int


class MeetingCount(TypedDict):
    _meeting_count: int


class ReferralCount(TypedDict):
    _referral_count: int
