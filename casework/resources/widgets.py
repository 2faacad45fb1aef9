"""The widgets of the import/export resources: Italian formats, Italian messages.

A widget turns a spreadsheet cell into a model value (``clean``) and back (``render``). An
unusable cell raises ``ValueError`` with an Italian message, which the resource reports as
an error of that row and column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export import widgets

from activitycr.ids import parse_id
from casework import fiscal_code, phones
from casework.models import Activity, Intake, Partner, Person
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
    DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)  # fullmatch below

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> dt.date | None:
        if blank(value):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        day_first = self.DAY_FIRST.fullmatch(text)  # gg/mm/aaaa without strptime's locale work
        if day_first:
            try:
                return dt.date(*map(int, day_first.group(3, 2, 1)))
            except ValueError:
                pass  # 31/02/2026: the message below
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
        text = str(value).strip()
        if not text.isascii():  # int() reads "٣" as 3: only the digits a spreadsheet writes
            raise ValueError(_("«%(value)s» non è un numero intero.") % {"value": value})
        try:
            return int(text)
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
        self.codes = frozenset(choices.values)
        self.required = required

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str:
        if blank(value):
            return ""  # the model says whether an empty value is allowed
        text = str(value).strip()
        if text in self.codes:  # the code itself: most files write it
            return text
        for choice in self.choices:
            if text.casefold() == str(choice.label).casefold():
                return choice.value
        # The Italian label whatever the page's language (the docs promise it: a file made
        # for the Italian admin imports the same from the English one).
        with translation.override("it"):
            for choice in self.choices:
                if text.casefold() == str(choice.label).casefold():
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


class Lookups:
    """The rows an import refers to, read once per file instead of once per row.

    Small tables (desks, comuni, foreign states, operators, activities, privacy notices)
    are read whole at their first use; people and intakes are read for the keys the file
    names (:meth:`prefetch_people`, :meth:`prefetch_intakes`) and added to as rows are
    written. Desks, people and intakes are those the importing user may see (``scoped``).
    """

    def __init__(self, user: AnyUser | None = None) -> None:
        self.user = user
        self._desks: dict[str, Desk] | None = None
        self._comuni: tuple[dict[str, Comune], dict[str, list[Comune]]] | None = None
        self._shared_names: set[str] | None = None
        self._countries: dict[str, Country] | None = None
        self._users: dict[str, Any] = {}
        self._activities: dict[str, Activity] | None = None
        self._partners: dict[str, Partner] | None = None
        self._notices: list[Any] | None = None
        self.people_by_cf: dict[str, Person | None] = {}
        self.people_by_name: dict[tuple[str, str, dt.date], list[Person]] = {}
        self._names_loaded: set[dt.date] = set()
        self.intakes_by_id: dict[int, Intake | None] = {}
        self.intakes_by_key: dict[tuple[int, int, dt.date], list[Intake]] = {}
        self._intakes_of: set[int] = set()
        self.intakes_by_person: dict[int, dict[int, Intake]] = {}

    # Small tables -------------------------------------------------------------------------

    def desks(self) -> dict[str, Desk]:
        if self._desks is None:
            self._desks = {}
            for desk in scoped(Desk, self.user):
                self._desks[desk.slug.casefold()] = desk
                self._desks[desk.name.casefold()] = desk
        return self._desks

    def desk(self, text: str) -> Desk:
        desk = self.desks().get(text.casefold())
        if desk is None:
            names = ", ".join(sorted({d.name for d in self.desks().values()}))
            raise ValueError(
                _("Sportello «%(value)s» sconosciuto: usare uno di questi: %(names)s.")
                % {"value": text, "names": names}
            )
        return desk

    def comuni(self) -> tuple[dict[str, Comune], dict[str, list[Comune]]]:
        if self._comuni is None:
            by_code: dict[str, Comune] = {}
            by_name: dict[str, list[Comune]] = {}
            for comune in Comune.objects.all():
                by_code[comune.code] = comune
                by_name.setdefault(comune.name.casefold(), []).append(comune)
                # "Name (PR)", how an export writes a name two comuni share.
                by_name.setdefault(f"{comune.name} ({comune.province})".casefold(), []).append(
                    comune
                )
            self._comuni = (by_code, by_name)
        return self._comuni

    def comune(self, text: str) -> Comune:
        by_code, by_name = self.comuni()
        if len(text) == 4 and text[0].isalpha() and text[1:].isdigit():
            comune = by_code.get(text.upper())
            if comune is not None:
                return comune
        matches = by_name.get(" ".join(text.split()).casefold(), [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValueError(
                _(
                    "Ci sono più comuni di nome «%(value)s»: indicare la provincia, es. "
                    "«%(example)s», o il codice catastale."
                )
                % {"value": text, "example": f"{matches[0].name} ({matches[0].province})"}
            )
        raise ValueError(
            _("Comune «%(value)s» sconosciuto: indicare il nome esatto o il codice catastale.")
            % {"value": text}
        )

    def comune_name(self, comune: Comune) -> str:
        """The comune's name; with its province when another comune has the same name."""
        if self._shared_names is None:
            self._shared_names = {
                name.casefold()
                for name in Comune.objects.values("name")
                .annotate(n=models.Count("id"))
                .filter(n__gt=1)
                .values_list("name", flat=True)
            }
        if comune.name.casefold() in self._shared_names:
            return f"{comune.name} ({comune.province})"
        return comune.name

    def country(self, text: str) -> Country:
        if self._countries is None:
            self._countries = {}
            for country in Country.objects.all():
                for key in (country.name_en, country.name, country.code):
                    if key:
                        self._countries[key.casefold()] = country
        found = self._countries.get(text.casefold())
        if found is None:
            raise ValueError(
                _("Stato estero «%(value)s» sconosciuto: indicare il nome o il codice (Z...).")
                % {"value": text}
            )
        return found

    def operator(self, username: str) -> User:
        if username not in self._users:
            self._users[username] = get_user_model().objects.filter(username=username).first()
        operator = self._users[username]
        if operator is None:
            raise ValueError(_("Operatore «%(value)s» sconosciuto.") % {"value": username})
        return cast("User", operator)

    def partner(self, text: str) -> Partner:
        if self._partners is None:
            self._partners = {p.name.casefold(): p for p in Partner.objects.all()}
        partner = self._partners.get(text.casefold())
        if partner is None:
            raise ValueError(
                _("Partner «%(value)s» sconosciuto: indicare il nome esatto (Admin › Partner).")
                % {"value": text}
            )
        return partner

    def activities(self) -> dict[str, Activity]:
        if self._activities is None:
            self._activities = {a.code: a for a in Activity.objects.all()}
        return self._activities

    def notice_on(self, on: dt.date) -> Any:
        """The privacy notice in force on a date (PrivacyNotice.objects.current)."""
        from casework.models import PrivacyNotice  # noqa: PLC0415 - models import widgets' users

        if self._notices is None:
            self._notices = list(PrivacyNotice.objects.order_by("-valid_from", "-id"))
        return next((n for n in self._notices if n.valid_from <= on), None)

    def notice_by_version(self, version: str) -> Any:
        self.notice_on(dt.date.max)  # reads them
        assert self._notices is not None
        return next((n for n in self._notices if n.version == version), None)

    # People -------------------------------------------------------------------------------

    def prefetch_people(self, codes: Iterable[str]) -> None:
        wanted = [c for c in dict.fromkeys(codes) if c and c not in self.people_by_cf]
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            found = {
                p.fiscal_code: p
                for p in scoped(Person, self.user)
                .filter(fiscal_code__in=chunk)
                .select_related("residence_comune")  # an intake's snapshot reads it
            }
            for code in chunk:
                self.people_by_cf[code] = found.get(code)

    def person_by_cf(self, code: str) -> Person | None:
        if code not in self.people_by_cf:
            self.prefetch_people([code])
        return self.people_by_cf[code]

    def prefetch_people_by_name(self, dates: Iterable[dt.date]) -> None:
        wanted = [d for d in dict.fromkeys(dates) if d not in self._names_loaded]
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            people = (
                scoped(Person, self.user)
                .filter(fiscal_code__isnull=True, birth_date__in=chunk)
                .select_related("residence_comune")
            )
            for person in people:
                self.people_by_name.setdefault(_name_key(person), []).append(person)
            self._names_loaded.update(chunk)

    def person_by_name(self, last_name: str, first_name: str, birth_date: dt.date) -> list[Person]:
        self.prefetch_people_by_name([birth_date])
        return self.people_by_name.get(
            (last_name.casefold(), first_name.casefold(), birth_date), []
        )

    def remember_person(self, person: Person) -> None:
        """A person the import has just written, for the rows after it."""
        if person.fiscal_code:
            self.people_by_cf[person.fiscal_code] = person
        else:
            same = self.people_by_name.setdefault(_name_key(person), [])
            if all(p.pk != person.pk for p in same):
                same.append(person)

    def person(self, row: dict, *, prefix: str = "") -> Person:
        """The person a row names: codice_fiscale, else cognome + nome + data_nascita, else
        id_persona."""
        code = row.get("codice_fiscale")
        if not blank(code):
            code = fiscal_code.normalise(str(code))
            person = self.person_by_cf(code)
            if person is None:
                raise ValueError(
                    _("Nessuna persona con codice fiscale %(code)s: importare prima le persone.")
                    % {"code": code}
                )
            return person
        last, first, birth = (row.get(c) for c in ("cognome", "nome", "data_nascita"))
        if not (blank(last) or blank(first) or blank(birth)):
            birth_date = DateWidget().clean(birth)
            assert birth_date is not None  # not blank
            matches = self.person_by_name(
                TextWidget().clean(last), TextWidget().clean(first), birth_date
            )
            if not matches:
                raise ValueError(
                    _(
                        "Nessuna persona senza codice fiscale di nome %(name)s nata il %(date)s: "
                        "importare prima le persone."
                    )
                    % {"name": f"{last} {first}", "date": f"{birth_date:%d/%m/%Y}"}
                )
            if len(matches) > 1:
                raise ValueError(
                    _(
                        "Più persone senza codice fiscale di nome %(name)s nate il %(date)s: "
                        "indicare id_persona."
                    )
                    % {"name": f"{last} {first}", "date": f"{birth_date:%d/%m/%Y}"}
                )
            return matches[0]
        person_id = row.get("id_persona")
        if not blank(person_id):
            pk = parse_id(str(IntegerWidget().clean(person_id)))
            person = scoped(Person, self.user).filter(pk=pk).first() if pk else None
            if person is None:
                raise ValueError(_("Persona n. %(value)s inesistente.") % {"value": person_id})
            return person
        raise ValueError(
            _(
                "Indicare la persona: codice_fiscale, oppure cognome, nome e data_nascita "
                "per chi non ha il codice fiscale."
            )
        )

    # Intakes ------------------------------------------------------------------------------

    def prefetch_intakes(self, people: Iterable[Person]) -> None:
        ids = [p.pk for p in people if p is not None and p.pk not in self._intakes_of]
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            intakes = scoped(Intake, self.user).filter(person_id__in=chunk)
            for intake in intakes.select_related("person", "desk"):
                self.remember_intake(intake)
            self._intakes_of.update(chunk)

    def remember_intake(self, intake: Intake) -> None:
        """An intake read or just written (replacing what was known of it)."""
        previous = self.intakes_by_id.get(intake.pk)
        if previous is not None:
            key = (previous.person_id, previous.desk_id, previous.opened_on)
            self.intakes_by_key[key] = [i for i in self.intakes_by_key[key] if i.pk != intake.pk]
        self.intakes_by_id[intake.pk] = intake
        self.intakes_by_key.setdefault(
            (intake.person_id, intake.desk_id, intake.opened_on), []
        ).append(intake)
        self.intakes_by_person.setdefault(intake.person_id, {})[intake.pk] = intake

    def knows_intakes_of(self, person_id: int) -> bool:
        return person_id in self._intakes_of

    def intake_by_id(self, pk: int) -> Intake | None:
        if pk not in self.intakes_by_id:
            self.intakes_by_id[pk] = scoped(Intake, self.user).filter(pk=pk).first()
        return self.intakes_by_id[pk]

    def intake(self, row: dict) -> Intake:
        """The intake a row names: the person's key + sportello + data_presa_in_carico, else
        presa_in_carico (its id)."""
        keyed = any(
            not blank(row.get(c)) for c in ("codice_fiscale", "cognome", "data_presa_in_carico")
        )
        raw_id = row.get("presa_in_carico")
        if keyed or blank(raw_id):
            person = self.person(row)
            desk_text, opened = row.get("sportello"), row.get("data_presa_in_carico")
            if blank(desk_text) or blank(opened):
                raise ValueError(
                    _(
                        "Indicare la presa in carico: sportello e data_presa_in_carico della "
                        "persona (oppure presa_in_carico, il suo numero)."
                    )
                )
            desk = self.desk(str(desk_text).strip())
            opened_on = DateWidget().clean(opened)
            assert opened_on is not None  # not blank
            self.prefetch_intakes([person])
            matches = self.intakes_by_key.get((person.pk, desk.pk, opened_on), [])
            if len(matches) == 1:
                return matches[0]
            if matches:
                raise ValueError(
                    _(
                        "La persona ha più prese in carico a %(desk)s del %(date)s: indicare "
                        "presa_in_carico (il numero)."
                    )
                    % {"desk": desk.name, "date": f"{opened_on:%d/%m/%Y}"}
                )
            raise ValueError(
                _(
                    "Nessuna presa in carico di %(person)s a %(desk)s del %(date)s: importare "
                    "prima le prese in carico."
                )
                % {"person": person, "desk": desk.name, "date": f"{opened_on:%d/%m/%Y}"}
            )
        if isinstance(raw_id, float) and raw_id.is_integer():
            text = str(int(raw_id))  # a number cell of a spreadsheet
        else:
            text = str(raw_id).strip()
        pk = parse_id(text)  # not "²" (isdigit, but no int), "٣" nor 30 digits
        intake = self.intake_by_id(pk) if pk else None
        if intake is None:
            raise ValueError(_("Presa in carico n. %(value)s inesistente.") % {"value": text})
        return intake


CHUNK = 500  # keys per query (SQLite takes at most 999 parameters)


def _name_key(person: Person) -> tuple[str, str, dt.date]:
    return (person.last_name.casefold(), person.first_name.casefold(), person.birth_date)


def lookups_of(kwargs: dict[str, Any]) -> Lookups:
    """The import's lookups (``CaseworkResource`` passes them), or fresh ones."""
    found = kwargs.get("lookups")
    return found if isinstance(found, Lookups) else Lookups(kwargs.get("user"))


class _LookupWidget(widgets.Widget, Generic[_M]):
    """A foreign key found by a natural key; an unknown value is a row error in Italian.

    A desk, person or intake the importing user may not see is unknown to the lookup,
    exactly like one that does not exist (the message does not tell them apart).
    """

    def lookup(self, text: str, lookups: Lookups) -> _M:
        raise NotImplementedError

    def key(self, obj: _M, lookups: Lookups) -> str:
        raise NotImplementedError

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> _M | None:
        if blank(value):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return self.lookup(str(value).strip(), lookups_of(kwargs))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else self.key(value, lookups_of(kwargs))


class DeskWidget(_LookupWidget[Desk]):
    def lookup(self, text: str, lookups: Lookups) -> Desk:
        return lookups.desk(text)

    def key(self, obj: Desk, lookups: Lookups) -> str:
        return obj.name


class ComuneWidget(_LookupWidget[Comune]):
    """By name (with its province when two comuni share it: «Castro (BG)») or by codice
    catastale (B898). Exports write the name."""

    def lookup(self, text: str, lookups: Lookups) -> Comune:
        return lookups.comune(text)

    def key(self, obj: Comune, lookups: Lookups) -> str:
        return lookups.comune_name(obj)


class CountryWidget(_LookupWidget[Country]):
    """By name (Italian or English) or by code (Z...). Exports write the Italian name."""

    def lookup(self, text: str, lookups: Lookups) -> Country:
        return lookups.country(text)

    def key(self, obj: Country, lookups: Lookups) -> str:
        return obj.name


class PartnerWidget(_LookupWidget[Partner]):
    def lookup(self, text: str, lookups: Lookups) -> Partner:
        return lookups.partner(text)

    def key(self, obj: Partner, lookups: Lookups) -> str:
        return obj.name


class UserWidget(_LookupWidget["User"]):
    def lookup(self, text: str, lookups: Lookups) -> User:
        return lookups.operator(text)

    def key(self, obj: User, lookups: Lookups) -> str:
        return obj.get_username()


class IntakeWidget(_LookupWidget[Intake]):
    """The intake of a meeting or a referral: by the person's key (``codice_fiscale``, or
    ``cognome`` + ``nome`` + ``data_nascita``) with ``sportello`` and
    ``data_presa_in_carico``; or by ``presa_in_carico``, its number."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> Intake | None:
        return lookups_of(kwargs).intake(row or {"presa_in_carico": value})

    def key(self, obj: Intake, lookups: Lookups) -> str:
        return str(obj.pk)


class PersonWidget(_LookupWidget[Person]):
    """The person of an intake: by codice fiscale; for someone without one, by cognome,
    nome and data_nascita; or by ``id_persona``."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> Person | None:
        return lookups_of(kwargs).person(row or {"codice_fiscale": value})

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
        found = lookups_of(kwargs).activities()
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise ValueError(
                _("Attività sconosciute: %(codes)s. Codici ammessi: %(allowed)s.")
                % {"codes": ", ".join(unknown), "allowed": ", ".join(sorted(found))}
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
