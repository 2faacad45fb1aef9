"""The widgets of the import/export resources: Italian formats, Italian messages.

A widget turns a spreadsheet cell into a model value (``clean``) and back (``render``). An
unusable cell raises ``ValueError`` with an Italian message, which the resource reports as
an error of that row and column.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import widgets

from activitycr.ids import parse_id
from casework import fiscal_code, phones
from casework.models import Activity, Intake, Person
from sportelli.models import Comune, Country, Desk

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from activitycr.http import AnyUser

_M = TypeVar("_M", bound=models.Model)


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- Widgets: Italian formats and Italian messages ------------------------------------------


class DateWidget(widgets.Widget):
    """A date as ``gg/mm/aaaa`` (also ``aaaa-mm-gg``), or a date cell of a spreadsheet."""

    INPUT_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> dt.date | None:
        if blank(value):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        for fmt in self.INPUT_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date
            except ValueError:
                continue
        raise ValueError(
            _("«%(value)s» non è una data valida: scrivere gg/mm/aaaa.") % {"value": text}
        )

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        if kwargs.get("force_native_type"):
            return value
        return value.strftime("%d/%m/%Y")


class TimeWidget(widgets.Widget):
    """A time of day as ``hh:mm``."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> dt.time | None:
        if blank(value):
            return None
        if isinstance(value, dt.datetime):
            return value.time()
        if isinstance(value, dt.time):
            return value
        text = str(value).strip()
        for fmt in ("%H:%M", "%H:%M:%S", "%H.%M"):
            try:
                return dt.datetime.strptime(text, fmt).time()  # noqa: DTZ007 - a time
            except ValueError:
                continue
        raise ValueError(_("«%(value)s» non è un orario valido: scrivere hh:mm.") % {"value": text})

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        if kwargs.get("force_native_type"):
            return value
        return value.strftime("%H:%M")


class DateTimeWidget(widgets.Widget):
    """A date and time in Europe/Rome as ``gg/mm/aaaa hh:mm``; stored in UTC."""

    INPUT_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> dt.datetime | None:
        if blank(value):
            return None
        if isinstance(value, dt.datetime):
            parsed = value
        else:
            text = str(value).strip()
            for fmt in self.INPUT_FORMATS:
                try:
                    # Wall-clock time at the desk: made aware in Europe/Rome just below.
                    parsed = dt.datetime.strptime(text, fmt)  # noqa: DTZ007
                    break
                except ValueError:
                    continue
            else:
                raise ValueError(
                    _("«%(value)s» non è una data e ora valida: scrivere gg/mm/aaaa hh:mm.")
                    % {"value": text}
                )
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        local = timezone.localtime(value)
        if kwargs.get("force_native_type"):
            return local.replace(tzinfo=None)  # spreadsheets hold no time zone
        return local.strftime("%d/%m/%Y %H:%M")


class IntegerWidget(widgets.Widget):
    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> int | None:
        if blank(value):
            return None
        if isinstance(value, bool):
            raise ValueError(_("«%(value)s» non è un numero intero.") % {"value": value})
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            raise ValueError(_("«%(value)s» non è un numero intero.") % {"value": value}) from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else str(value)


class BooleanWidget(widgets.Widget):
    """sì/no (also 1/0, true/false, x); an empty cell takes the field's default."""

    TRUE = frozenset(("1", "sì", "si", "s", "vero", "true", "x", "yes"))
    FALSE = frozenset(("0", "no", "n", "falso", "false"))

    def __init__(self, *, empty: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.empty = empty

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> bool:
        if blank(value):
            return self.empty
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if isinstance(value, int | float):
            text = str(int(value))
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(
            _("«%(value)s» non è un valore valido: scrivere sì o no.") % {"value": value}
        )

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        if kwargs.get("force_native_type"):
            return value
        return _("sì") if value else _("no")


class ChoiceWidget(widgets.Widget):
    """A value of a closed list, written as its code (``disoccupato``) or its label."""

    def __init__(self, choices: type[models.TextChoices], *, required: bool = True, **kwargs: Any):
        super().__init__(**kwargs)
        self.choices = choices
        self.required = required

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str:
        if blank(value):
            return ""  # the model says whether an empty value is allowed
        text = str(value).strip()
        for choice in self.choices:
            if text == choice.value or text.casefold() == str(choice.label).casefold():
                return choice.value
        for choice in self.choices:
            if text.casefold() == choice.value.casefold():
                return choice.value
        raise ValueError(
            _("«%(value)s» non è tra i valori ammessi (%(allowed)s).")
            % {"value": text, "allowed": ", ".join(self.choices.values)}
        )

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value or ""


class FiscalCodeWidget(widgets.Widget):
    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str | None:
        if blank(value):
            return None
        return fiscal_code.normalise(str(value))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value or ""


class TextWidget(widgets.Widget):
    """Free text. A value that a spreadsheet would run as a formula (=, +, -, @) is written
    with a leading apostrophe, and read back without it."""

    FORMULA_START = ("=", "+", "-", "@")

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str:
        if blank(value):
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a phone number typed in a numeric cell
        text = str(value).strip()
        if text[:1] == "'" and text[1:2] in self.FORMULA_START:
            text = text[1:]
        return text

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if not value:
            return ""
        text = str(value)
        return "'" + text if text.startswith(self.FORMULA_START) else text


class _VisibleManager(Protocol):
    def visible_to(self, user: AnyUser) -> models.QuerySet[Any]: ...


def scoped(model: type[_M], user: AnyUser | None) -> models.QuerySet[_M]:
    """The rows of a desk-scoped model (desk, person, intake) the importing user may see.

    The admin passes the logged-in user to every widget; a trusted caller with no user (a
    management command, a test of the format alone) reads every row.
    """
    manager = model._default_manager
    if user is None:
        return manager.all()
    # Every desk-scoped model's manager has visible_to (casework/models.py, sportelli/models.py);
    # mypy sees it only on each model's own manager.
    return cast(_VisibleManager, manager).visible_to(user)


class _LookupWidget(widgets.Widget, Generic[_M]):
    """A foreign key found by a natural key; an unknown value is a row error in Italian.

    A desk, person or intake the importing user may not see is unknown to the lookup,
    exactly like one that does not exist (the message does not tell them apart).
    """

    model: type[_M]

    def lookup(self, text: str, user: AnyUser | None = None) -> _M:
        raise NotImplementedError

    def key(self, obj: _M) -> str:
        raise NotImplementedError

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> _M | None:
        if blank(value):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return self.lookup(str(value).strip(), kwargs.get("user"))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else self.key(value)


class DeskWidget(_LookupWidget[Desk]):
    def lookup(self, text: str, user: AnyUser | None = None) -> Desk:
        desk = (
            scoped(Desk, user)
            .filter(models.Q(slug__iexact=text) | models.Q(name__iexact=text))
            .first()
        )
        if desk is None:
            names = ", ".join(scoped(Desk, user).values_list("name", flat=True))
            raise ValueError(
                _("Sportello «%(value)s» sconosciuto: usare uno di questi: %(names)s.")
                % {"value": text, "names": names}
            )
        return desk

    def key(self, obj: Desk) -> str:
        return obj.name


class ComuneWidget(_LookupWidget[Comune]):
    """By codice catastale (B898) or by name; a name shared by two comuni needs the code."""

    def lookup(self, text: str, user: AnyUser | None = None) -> Comune:
        if len(text) == 4 and text[0].isalpha() and text[1:].isdigit():
            comune = Comune.objects.filter(code=text.upper()).first()
            if comune is not None:
                return comune
        matches = list(Comune.objects.filter(name__iexact=text)[:2])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValueError(
                _("Ci sono più comuni di nome «%(value)s»: indicare il codice catastale.")
                % {"value": text}
            )
        raise ValueError(
            _("Comune «%(value)s» sconosciuto: indicare il nome esatto o il codice catastale.")
            % {"value": text}
        )

    def key(self, obj: Comune) -> str:
        return obj.code


class CountryWidget(_LookupWidget[Country]):
    def lookup(self, text: str, user: AnyUser | None = None) -> Country:
        country = Country.objects.filter(
            models.Q(code__iexact=text)
            | models.Q(name__iexact=text)
            | models.Q(name_en__iexact=text)
        ).first()
        if country is None:
            raise ValueError(
                _("Stato estero «%(value)s» sconosciuto: indicare il nome o il codice (Z...).")
                % {"value": text}
            )
        return country

    def key(self, obj: Country) -> str:
        return obj.code


class UserWidget(_LookupWidget["User"]):
    def lookup(self, text: str, user: AnyUser | None = None) -> User:
        operator = get_user_model().objects.filter(username=text).first()
        if operator is None:
            raise ValueError(_("Operatore «%(value)s» sconosciuto.") % {"value": text})
        return operator

    def key(self, obj: User) -> str:
        return obj.get_username()


class IntakeWidget(_LookupWidget[Intake]):
    def lookup(self, text: str, user: AnyUser | None = None) -> Intake:
        pk = parse_id(text)  # not "²" (isdigit, but no int) nor 30 digits
        intake = scoped(Intake, user).filter(pk=pk).first() if pk else None
        if intake is None:
            raise ValueError(_("Presa in carico n. %(value)s inesistente.") % {"value": text})
        return intake

    def key(self, obj: Intake) -> str:
        return str(obj.pk)


class PersonWidget(_LookupWidget[Person]):
    """A person by codice fiscale; for someone without one, by the ``id_persona`` column."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> Person | None:
        if not blank(value):
            code = fiscal_code.normalise(str(value))
            person = scoped(Person, kwargs.get("user")).filter(fiscal_code=code).first()
            if person is None:
                raise ValueError(
                    _("Nessuna persona con codice fiscale %(code)s: importare prima le persone.")
                    % {"code": code}
                )
            return person
        person_id = (row or {}).get("id_persona")
        if not blank(person_id):
            pk = IntegerWidget().clean(person_id)  # not None: the cell is not blank
            person = scoped(Person, kwargs.get("user")).filter(pk=pk).first() if pk else None
            if person is None:
                raise ValueError(_("Persona n. %(value)s inesistente.") % {"value": person_id})
            return person
        raise ValueError(
            _("Indicare il codice fiscale della persona (o id_persona se non ce l'ha).")
        )

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return (value.fiscal_code or "") if value is not None else ""


class ActivitiesWidget(widgets.ManyToManyWidget):
    """Activity codes separated by commas; an unknown code is an error, not silently dropped."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Activity, separator=",", field="code", **kwargs)

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> list[Activity]:
        if blank(value):
            return []
        codes = [c.strip() for c in str(value).split(self.separator) if c.strip()]
        found = {a.code: a for a in Activity.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise ValueError(
                _("Attività sconosciute: %(codes)s. Codici ammessi: %(allowed)s.")
                % {
                    "codes": ", ".join(unknown),
                    "allowed": ", ".join(Activity.objects.values_list("code", flat=True)),
                }
            )
        return [found[c] for c in dict.fromkeys(codes)]

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        return self.separator.join(sorted(a.code for a in value.all()))


class PhoneWidget(TextWidget):
    """A phone number: written the Italian way, read as operators type it; the model's
    clean() stores it in E.164 or refuses it under the file's column (casework.phones)."""

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return super().render(phones.display(value or ""), obj, **kwargs)
