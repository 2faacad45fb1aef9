"""What the operators' form pages share: ModelForm data for the services, a model's
ValidationError put back on the form, and the edit page of a versioned record.

A versioned edit page carries the record's ``version`` in a hidden field and saves only if
it is still the stored one (``services.ConflictError`` otherwise): on a conflict the page
keeps what the user typed, shows what is saved now, and carries the new version, so that a
second save is a deliberate overwrite.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
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


def saved_values(form: Any, instance: models.Model) -> list[tuple[str, str]]:
    """(label, value as shown) of the form's fields on the saved record (conflict panel)."""
    rows = []
    for name, field in form.fields.items():
        if name == "version":
            continue
        model_field = instance._meta.get_field(name)
        if model_field.many_to_many:
            value = ", ".join(str(o) for o in getattr(instance, name).all())
        elif isinstance(model_field, models.Field) and model_field.choices:
            value = getattr(instance, f"get_{name}_display")()
        else:
            raw = getattr(instance, name)
            if raw is None or raw == "":
                value = "—"
            elif isinstance(raw, bool):
                value = _("Sì") if raw else _("No")
            else:
                value = formats.localize(raw) if not isinstance(raw, models.Model) else str(raw)
        rows.append((str(field.label), str(value)))
    return rows


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
    """GET: the form with the record's version. POST: validate, save only if the version is
    still the stored one; on a conflict keep the input, show what is saved now, and carry
    the new version so that a second save is a deliberate overwrite."""
    form_kwargs = form_kwargs or {}
    model = type(instance)
    if request.method != "POST":
        form = form_class(instance=instance, initial={"version": instance.version}, **form_kwargs)
        return form_page(request, {**context, "form": form})
    form = form_class(request.POST, instance=instance, **form_kwargs)
    if form.is_valid():
        try:
            save(form, form.cleaned_data["version"])
        except services.ConflictError as exc:
            current = model._default_manager.get(pk=instance.pk)
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = form_class(
                data, instance=model._default_manager.get(pk=instance.pk), **form_kwargs
            )
            form.is_valid()
            form.add_error(None, str(exc))
            context.update(conflict=True, saved_values=saved_values(form, current))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, success_message)
            return redirect(success_url)
    return form_page(request, {**context, "form": form})
