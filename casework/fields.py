"""The form fields and widgets the operators' forms share: Italian date and time inputs,
the comune typed as text ("Casalmaggiore (CR)"), ids that cannot overflow, the version an
edit form started from, and the small helpers that build the forms.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from activitycr.ids import MAX_ID
from casework import phones
from casework.models import (
    local_today,
)
from sportelli.models import Comune

# --- Widgets ------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


_WITH_PROVINCE = re.compile(r"^(?P<name>.+?)\s*\((?P<province>[A-Za-z]{2})\)$")


class ComuneField(forms.CharField):
    """A comune typed as text: "Name (PR)", a unique name, or a codice catastale."""

    default_error_messages = {
        "unknown": _(
            "Comune non trovato: sceglierlo dall'elenco, ad esempio «Casalmaggiore (CR)»."
        ),
        "ambiguous": _(
            "Ci sono più comuni con questo nome: indicare anche la provincia, "
            "ad esempio «%(example)s»."
        ),
    }

    def __init__(self, *, datalist_id: str, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "maxlength": 110,
                    "list": datalist_id,
                    "autocomplete": "off",
                    "data-comune-autocomplete": reverse_lazy("sportelli:comune_autocomplete"),
                }
            ),
        )
        super().__init__(**kwargs)
        self.datalist_id = datalist_id

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Comune):
            return str(value)
        if isinstance(value, int):
            comune = Comune.objects.filter(pk=value).first()
            return str(comune) if comune else ""
        return value

    # A CharField by its input, a ModelChoiceField by its value: a Comune, not a str.
    def to_python(self, value: Any) -> Comune | None:  # type: ignore[override]
        if isinstance(value, Comune):
            return value
        text = " ".join(str(value or "").split())
        if not text:
            return None
        match = _WITH_PROVINCE.match(text)
        if match:
            found = list(
                Comune.objects.filter(
                    name__iexact=match["name"], province=match["province"].upper()
                )[:2]
            )
        else:
            found = list(Comune.objects.filter(name__iexact=text).order_by("-active")[:2])
            if not found and re.fullmatch(r"[A-Za-z]\d{3}", text):
                found = list(Comune.objects.filter(code=text.upper())[:1])
        if not found:
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        if len(found) > 1:
            raise ValidationError(
                self.error_messages["ambiguous"],
                code="ambiguous",
                params={"example": str(found[0])},
            )
        return found[0]


def _id_out_of_range(value: Any) -> bool:
    """Database ids are 64-bit: a typed or forged id beyond that is an invalid choice, not a
    query the database driver cannot even bind (SQLite raises OverflowError on it)."""
    try:
        return not 0 < int(str(value).strip()) <= MAX_ID
    except ValueError:
        return False  # not a number: Django's own "invalid choice" handles it


class IdChoiceField(forms.ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and _id_out_of_range(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    # Django's own hook for the ids of a ModelMultipleChoiceField (private: not in the stubs).
    def _check_values(self, value: Any) -> Any:
        for item in value:
            if _id_out_of_range(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super()._check_values(value)  # type: ignore[misc]


class VersionField(forms.IntegerField):
    """The version the user started editing from (optimistic concurrency)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(widget=forms.HiddenInput, min_value=1, **kwargs)


_F = TypeVar("_F", bound=forms.Field)


def typed_field(form: forms.BaseForm, name: str, kind: type[_F]) -> _F:
    """``form.fields[name]``, of the class the form's Meta gives it (``kind``)."""
    field = form.fields[name]
    assert isinstance(field, kind)
    return field


def today_initial(form: forms.BaseForm, name: str) -> None:
    """A date defaulting to today (Europe/Rome), without Django's hidden "initial-" input."""
    form.fields[name].show_hidden_initial = False
    form.fields[name].initial = local_today


def form_helper(*layout: Any) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.render_hidden_fields = True  # the "version" of edit forms, whatever the layout
    if layout:
        helper.layout = Layout(*layout)
    return helper


class PhoneField(forms.CharField):
    """A phone number typed as operators type it ("0375 123456", "+39 ...", "0039 ..."),
    cleaned to E.164 and shown back the Italian way (casework.phones)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        # A value sent back with errors is shown as typed; a stored one the Italian way.
        if isinstance(value, str) and value.startswith("+"):
            return phones.display(value)
        return value

    def clean(self, value: Any) -> str:
        return phones.normalise(super().clean(value))


class CountedTextarea(forms.Textarea):
    """A textarea with a visible count of its characters against its maxlength
    (static/js/char-counter.js; without JavaScript the browser's maxlength still holds)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        attrs = {"rows": 3, **(attrs or {})}
        # {count} and {max} are filled in by the script.
        attrs.setdefault("data-counter", _("{count} caratteri su {max}"))
        super().__init__(attrs=attrs)
