"""What the operators' form pages share: ModelForm data for the services, a model's
ValidationError put back on the form, and the edit page of a versioned record.

A versioned edit page carries the record's ``version`` in a hidden field and saves only if
it is still the stored one (``services.ConflictError`` otherwise). On a conflict the page
merges field by field: the colleague's changes are kept where the user changed nothing, the
user's where the colleague changed nothing, and a field both changed is marked, with the
user's value in the form; the page says which is which and carries the new version.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from casework import services
from casework.models import VersionedSave


def model_data(form: Any) -> dict[str, Any]:
    """The cleaned values of a ModelForm's model fields (not its extra fields)."""
    names = {f.name for f in form._meta.model._meta.get_fields()}
    return {k: v for k, v in form.cleaned_data.items() if k in names}


def model_data_without_m2m(form: Any) -> dict[str, Any]:
    m2m = {f.name for f in form._meta.model._meta.many_to_many}
    return {k: v for k, v in model_data(form).items() if k not in m2m}


def apply_validation_error(form: Any, exc: ValidationError, *others: Any) -> None:
    """Put a model's ValidationError on the fields of whichever form has them (``form``'s
    non-field errors otherwise)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.error_dict.items():
        target = next((f for f in (form, *others) if field in f.fields), None)
        if target is None:
            form.add_error(None, errors)
        else:
            target.add_error(field, errors)


def form_page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    return render(request, "casework/form_page.html", context)


def shown_value(instance: models.Model, name: str) -> str:
    """A field's stored value as the desk reads it: dates dd/mm/yyyy, choices by label,
    a field with a ``<name>_display`` property (the phone) by it."""
    model_field = instance._meta.get_field(name)
    if model_field.many_to_many:
        return ", ".join(str(o) for o in getattr(instance, name).all()) or "—"
    if isinstance(model_field, models.Field) and model_field.choices:
        return str(getattr(instance, f"get_{name}_display")()) or "—"
    raw = getattr(instance, name)
    if raw is None or raw == "":
        return "—"
    shown = getattr(instance, f"{name}_display", None)  # e.g. Person.phone_display
    if isinstance(shown, str):
        return shown
    if isinstance(raw, bool):
        return _("Sì") if raw else _("No")
    if isinstance(raw, dt.datetime):
        return date_format(timezone.localtime(raw), "d/m/Y H:i")
    if isinstance(raw, dt.date):
        return date_format(raw, "d/m/Y")
    return str(raw) if isinstance(raw, models.Model) else str(formats.localize(raw))


def _is_model_field(instance: models.Model, name: str) -> bool:
    try:
        instance._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def form_shown_value(form: Any, name: str) -> str:
    """A form-only field's value (e.g. the situation at exit on the closing form, stored in
    another model), as the unbound ``form`` starts from: choices by label, dates dd/mm/yyyy."""
    value = form[name].value()
    values = value if isinstance(value, list | tuple) else [value]
    labels = dict(getattr(form.fields[name], "choices", ()))
    shown = []
    for item in values:
        if item is None or item == "":
            continue
        if isinstance(item, dt.date):
            shown.append(date_format(item, "d/m/Y"))
        else:
            shown.append(str(labels.get(item, labels.get(str(item), item))))
    return ", ".join(shown) or "—"


def current_value(form: Any, instance: models.Model, name: str) -> str:
    """A field's saved value as shown: from the record, or for a form-only field from the
    unbound ``form`` on that record."""
    if _is_model_field(instance, name):
        return shown_value(instance, name)
    return form_shown_value(form, name)


def saved_values(form: Any, instance: models.Model) -> list[tuple[str, str]]:
    """(label, value as shown) of the form's fields on the saved record (conflict panel)."""
    return [
        (str(field.label), current_value(form, instance, name))
        for name, field in form.fields.items()
        if name != "version"
    ]


# --- The three-way merge of a conflict -------------------------------------------------------
# The edit page carries, signed, what its form held when it was opened (BASE_FIELD). On a
# conflict each field is compared three ways: what the user started from, what they sent,
# and what is saved now. A field only the colleague changed takes the colleague's value, a
# field only the user changed keeps the user's, and a field both changed differently is
# marked on the field, with the user's value in the form. Saving again therefore keeps the
# colleague's changes on the fields the user did not touch.

BASE_FIELD = "_base"
_BASE_SALT = "casework.editing.base"


def raw_data(form: Any) -> dict[str, list[str]]:
    """What the browser would send back from ``form`` unchanged: field name -> values."""
    data: dict[str, list[str]] = {}
    for bound in form:
        if bound.name == "version":
            continue
        value = bound.value()
        if value is None or value is False:
            data[bound.name] = []
        elif value is True:
            data[bound.name] = ["on"]
        elif isinstance(value, list | tuple):
            data[bound.name] = [str(v) for v in value]
        else:
            shown = bound.field.widget.format_value(value)
            if isinstance(shown, list | tuple):  # a select renders its choice as a list
                data[bound.name] = [str(v) for v in shown]
            else:
                data[bound.name] = ["" if shown is None else str(shown)]
    return data


def sign_base(form: Any) -> str:
    return signing.dumps(raw_data(form), salt=_BASE_SALT, compress=True)


def _load_base(token: str) -> dict[str, list[str]] | None:
    try:
        base = signing.loads(token, salt=_BASE_SALT)
    except signing.BadSignature:
        return None
    return base if isinstance(base, dict) else None


def _comparable(field: forms.Field, name: str, data: QueryDict) -> object:
    """A field's value as the form would clean it, for comparing two sendings of a form."""
    raw = field.widget.value_from_datadict(data, {}, name)
    try:
        value = field.clean(raw)
    except ValidationError:
        return ("unclean", str(raw))
    if isinstance(value, QuerySet):
        return frozenset(value.values_list("pk", flat=True))
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return value


def _query_dict(values: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, items in values.items():
        data.setlist(name, items)
    return data


@dataclasses.dataclass
class Merge:
    """The outcome of a conflict, field by field (labels), and the data for the form."""

    data: QueryDict
    theirs: list[str] = dataclasses.field(
        default_factory=list
    )  # only the colleague changed: theirs kept
    mine: list[str] = dataclasses.field(
        default_factory=list
    )  # only the user changed: theirs overwritten
    both: list[str] = dataclasses.field(
        default_factory=list
    )  # both, differently: the user's in the form


def merge(form: Any, posted: QueryDict, base: dict[str, list[str]], now: Any) -> Merge:
    """Merge what the user sent (``posted``) with what is saved now (the unbound form
    ``now``), from what both started from (``base``)."""
    theirs_raw = raw_data(now)
    base_data, theirs_data = _query_dict(base), _query_dict(theirs_raw)
    result = Merge(data=posted.copy())
    for name, form_field in form.fields.items():
        if name == "version" or name not in base:
            continue
        started = _comparable(form_field, name, base_data)
        sent = _comparable(form_field, name, posted)
        saved = _comparable(form_field, name, theirs_data)
        label = str(form_field.label)
        if saved == started:
            if sent != started:
                result.mine.append(label)
        elif sent == started:
            result.data.setlist(name, theirs_raw.get(name, []))
            result.theirs.append(label)
        elif sent != saved:
            result.both.append(name)
    return result


def versioned_edit(
    request: HttpRequest,
    *,
    form_class: type,
    instance: VersionedSave,
    save: Callable[[Any, int], Any],
    success_url: str,
    success_message: str,
    context: dict[str, Any],
    form_kwargs: dict[str, Any] | None = None,
) -> HttpResponse:
    """GET: the form with the record's version (and, signed, what it holds). POST:
    validate, save only if the version is still the stored one; on a conflict merge field
    by field (:func:`merge`), say what each side changed, and carry the new version, so
    that saving again keeps the colleague's changes where the user changed nothing."""
    form_kwargs = form_kwargs or {}
    model = type(instance)
    if request.method != "POST":
        typed = resumed(request)
        if typed is not None:  # sent after the session expired: as typed, with its base
            form = form_class(typed, instance=instance, **form_kwargs)
            return form_page(
                request, {**context, "form": form, "edit_base": typed.get(BASE_FIELD, "")}
            )
        form = form_class(instance=instance, initial={"version": instance.version}, **form_kwargs)
        return form_page(request, {**context, "form": form, "edit_base": sign_base(form)})
    form = form_class(request.POST, instance=instance, **form_kwargs)
    if form.is_valid():
        try:
            save(form, form.cleaned_data["version"])
        except services.ConflictError:
            return _conflict_page(request, form_class, model, instance, context, form_kwargs)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, success_message)
            return redirect(success_url)
    edit_base = request.POST.get(BASE_FIELD, "")
    return form_page(request, {**context, "form": form, "edit_base": edit_base})


def _conflict_page(
    request: HttpRequest,
    form_class: type,
    model: type[VersionedSave],
    instance: VersionedSave,
    context: dict[str, Any],
    form_kwargs: dict[str, Any],
) -> HttpResponse:
    current = model._default_manager.get(pk=instance.pk)
    now = form_class(instance=current, initial={"version": current.version}, **form_kwargs)
    posted = request.POST.copy()
    base = _load_base(request.POST.get(BASE_FIELD, ""))
    outcome = merge(now, posted, base, now) if base is not None else Merge(data=posted, both=[])
    outcome.data["version"] = str(current.version)
    # As saved now, read before the bound form writes the typed values onto its instance.
    shown_now = {name: current_value(now, current, name) for name in outcome.both}
    panel = saved_values(now, current)
    form = form_class(outcome.data, instance=current, **form_kwargs)
    form.is_valid()
    form.add_error(
        None,
        _(
            "Nel frattempo un'altra persona ha modificato questi dati. Le sue modifiche sono "
            "state tenute nei campi che tu non avevi cambiato; qui sopra trovi, campo per "
            "campo, che cosa ha cambiato lei e che cosa hai cambiato tu. Controlla e salva di "
            "nuovo per confermare."
        ),
    )
    for name in outcome.both:
        form.add_error(
            name,
            _("Cambiato anche da un'altra persona, che ha salvato: «%(value)s». Qui c'è il tuo.")
            % {"value": shown_now[name]},
        )
    context.update(
        conflict=True,
        saved_values=panel,
        changed_by_them=outcome.theirs,
        changed_by_me=outcome.mine,
        changed_by_both=[str(form.fields[n].label) for n in outcome.both],
        merged=base is not None,
    )
    return form_page(request, {**context, "form": form, "edit_base": sign_base(now)})


def resumed(request: HttpRequest) -> QueryDict | None:
    """What the user had typed in this page's form when their session expired, kept for
    them across the new login (``twofactor.pending``), or None. The form bound to it shows
    it again, unsaved."""
    data: QueryDict | None = getattr(request, "resumed_form", None)
    if data is not None:
        messages.info(
            request,
            _(
                "Ecco quanto avevi scritto prima che la sessione scadesse: non è ancora "
                "salvato, controllalo e salva."
            ),
        )
    return data
