"""Import and export of people, intakes and meetings (django-import-export 4), in xlsx and csv.

Used by Django admin (``casework/admin.py``) to load legacy spreadsheets and to export.

* Columns have Italian names; dates are ``gg/mm/aaaa`` (xlsx date cells work too); closed
  lists accept their code or their Italian label.
* Foreign keys by natural key: a person by codice fiscale (``id_persona`` for someone
  without one), a desk by name or slug, a comune by codice catastale or name, a foreign
  state by code or name, an intake by id, an operator by username, activities by code.
* Every row goes through ``full_clean()``: the codice fiscale, the date rules and the
  database constraints give their Italian message, per row.
* All or nothing: when any row is wrong the whole import is rolled back, dry run or not,
  and every bad row is reported with its number.
* Special-category fields (disability, minority, migrant background, homelessness) are in
  no resource: they never leave the application in a default export.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.results import Result, RowResult

from casework import fiscal_code
from casework.choices import (
    Citizenship,
    ClosureReason,
    EducationLevel,
    Gender,
    IntakeChannel,
    IntakeStatus,
    LabourStatus,
    MeetingMode,
    Need,
)
from casework.models import Activity, Intake, Meeting, Person
from sportelli.models import Comune, Country, Desk

# Intake fields copied from the person on insert (Intake.take_snapshot).
_SNAPSHOT_FIELDS = frozenset(
    (
        "age_at_intake",
        "age_band",
        "esf_age_band",
        "gender",
        "origin",
        "residence_comune",
        "citizenship",
        "isced_band",
    )
)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- Widgets: Italian formats and Italian messages ------------------------------------------


class DateWidget(widgets.Widget):
    """A date as ``gg/mm/aaaa`` (also ``aaaa-mm-gg``), or a date cell of a spreadsheet."""

    INPUT_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> dt.date | None:
        if _blank(value):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        for fmt in self.INPUT_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()
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
        if _blank(value):
            return None
        if isinstance(value, dt.datetime):
            return value.time()
        if isinstance(value, dt.time):
            return value
        text = str(value).strip()
        for fmt in ("%H:%M", "%H:%M:%S", "%H.%M"):
            try:
                return dt.datetime.strptime(text, fmt).time()
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
        if _blank(value):
            return None
        if isinstance(value, dt.datetime):
            parsed = value
        else:
            text = str(value).strip()
            for fmt in self.INPUT_FORMATS:
                try:
                    parsed = dt.datetime.strptime(text, fmt)
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
        if _blank(value):
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
        if _blank(value):
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
        if _blank(value):
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
        if _blank(value):
            return None
        return fiscal_code.normalise(str(value))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value or ""


class TextWidget(widgets.Widget):
    """Free text. A value that a spreadsheet would run as a formula (=, +, -, @) is written
    with a leading apostrophe, and read back without it."""

    FORMULA_START = ("=", "+", "-", "@")

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str:
        if _blank(value):
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


class _LookupWidget(widgets.Widget):
    """A foreign key found by a natural key; an unknown value is a row error in Italian."""

    model: type[models.Model]

    def lookup(self, text: str) -> models.Model:
        raise NotImplementedError

    def key(self, obj: models.Model) -> str:
        raise NotImplementedError

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> models.Model | None:
        if _blank(value):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return self.lookup(str(value).strip())

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else self.key(value)


class DeskWidget(_LookupWidget):
    def lookup(self, text: str) -> Desk:
        desk = Desk.objects.filter(
            models.Q(slug__iexact=text) | models.Q(name__iexact=text)
        ).first()
        if desk is None:
            names = ", ".join(Desk.objects.values_list("name", flat=True))
            raise ValueError(
                _("Sportello «%(value)s» sconosciuto: usare uno di questi: %(names)s.")
                % {"value": text, "names": names}
            )
        return desk

    def key(self, obj: Desk) -> str:
        return obj.name


class ComuneWidget(_LookupWidget):
    """By codice catastale (B898) or by name; a name shared by two comuni needs the code."""

    def lookup(self, text: str) -> Comune:
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


class CountryWidget(_LookupWidget):
    def lookup(self, text: str) -> Country:
        country = Country.objects.filter(
            models.Q(code__iexact=text) | models.Q(name__iexact=text)
        ).first()
        if country is None:
            raise ValueError(
                _("Stato estero «%(value)s» sconosciuto: indicare il nome o il codice (Z...).")
                % {"value": text}
            )
        return country

    def key(self, obj: Country) -> str:
        return obj.code


class UserWidget(_LookupWidget):
    def lookup(self, text: str) -> models.Model:
        user = get_user_model().objects.filter(username=text).first()
        if user is None:
            raise ValueError(_("Operatore «%(value)s» sconosciuto.") % {"value": text})
        return user

    def key(self, obj: models.Model) -> str:
        return obj.get_username()


class IntakeWidget(_LookupWidget):
    def lookup(self, text: str) -> Intake:
        intake = Intake.objects.filter(pk=int(text)).first() if text.isdigit() else None
        if intake is None:
            raise ValueError(_("Presa in carico n. %(value)s inesistente.") % {"value": text})
        return intake

    def key(self, obj: Intake) -> str:
        return str(obj.pk)


class PersonWidget(_LookupWidget):
    """A person by codice fiscale; for someone without one, by the ``id_persona`` column."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> Person | None:
        if not _blank(value):
            code = fiscal_code.normalise(str(value))
            person = Person.objects.filter(fiscal_code=code).first()
            if person is None:
                raise ValueError(
                    _("Nessuna persona con codice fiscale %(code)s: importare prima le persone.")
                    % {"code": code}
                )
            return person
        person_id = (row or {}).get("id_persona")
        if not _blank(person_id):
            person = Person.objects.filter(pk=IntegerWidget().clean(person_id)).first()
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
        if _blank(value):
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


# --- Resources -----------------------------------------------------------------------------


class CaseworkResource(resources.ModelResource):
    """Shared behaviour: full_clean on every row, errors named by column, all or nothing."""

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kw):  # noqa: ANN001, ANN003, ANN201
        # A file with any bad row writes nothing: roll back on validation errors too, not
        # only on exceptions (the library's default would keep the good rows).
        kw["rollback_on_validation_errors"] = True
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=True,
            **kw,
        )

    def extra_validation_exclusions(self, instance: models.Model) -> set[str]:
        return set()

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):  # noqa: ANN001, ANN201
        errors = dict(import_validation_errors or {})
        exclude = set(errors) | self.extra_validation_exclusions(instance)
        try:
            instance.full_clean(exclude=exclude, validate_unique=validate_unique)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            # Name the file's column, not the model attribute.
            columns = {f.attribute: f.column_name for f in self.fields.values() if f.attribute}
            raise ValidationError({columns.get(k, k): v for k, v in errors.items()})

    def import_row(self, row, instance_loader, **kwargs):  # noqa: ANN001, ANN003, ANN201
        row_result = super().import_row(row, instance_loader, **kwargs)
        # What full_clean missed and the database refused (a trigger, a race) is a bad row
        # like the others, with a message naming the rule and no data from the row.
        if row_result.errors and all(
            isinstance(e.error, IntegrityError) for e in row_result.errors
        ):
            messages = [
                _("Il database ha rifiutato la riga (regola %(rule)s).")
                % {"rule": _constraint_name(e.error)}
                for e in row_result.errors
            ]
            row_result.errors = []
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = ValidationError({NON_FIELD_ERRORS: messages})
        return row_result


def _constraint_name(error: IntegrityError) -> str:
    text = str(error)
    match = re.search(r"(casework|sportelli)_[a-z0-9_]+", text)
    return match.group(0) if match else _("di integrità")


def _field(attribute: str, column: str, widget: widgets.Widget, **kwargs: Any) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, widget=widget, **kwargs)


class PersonResource(CaseworkResource):
    """People. The import recognises a person by codice fiscale; someone without one by
    surname, name and birth date among the people without a codice fiscale."""

    id = _field("id", "id", IntegerWidget(), readonly=True)
    fiscal_code = _field("fiscal_code", "codice_fiscale", FiscalCodeWidget())
    last_name = _field("last_name", "cognome", TextWidget())
    first_name = _field("first_name", "nome", TextWidget())
    birth_date = _field("birth_date", "data_nascita", DateWidget())
    gender = _field("gender", "genere", ChoiceWidget(Gender))
    birthplace_comune = _field("birthplace_comune", "comune_nascita", ComuneWidget())
    birthplace_country = _field("birthplace_country", "stato_nascita", CountryWidget())
    residence_comune = _field("residence_comune", "comune_residenza", ComuneWidget())
    residence_country = _field("residence_country", "stato_residenza", CountryWidget())
    citizenship = _field("citizenship", "cittadinanza", ChoiceWidget(Citizenship))
    education = _field("education", "titolo_studio", ChoiceWidget(EducationLevel))
    email = _field("email", "email", TextWidget())
    phone = _field("phone", "telefono", TextWidget())
    privacy_ack_on = _field("privacy_ack_on", "informativa_firmata_il", DateWidget())

    class Meta:
        model = Person
        name = "Persone"
        fields = (
            "id",
            "fiscal_code",
            "last_name",
            "first_name",
            "birth_date",
            "gender",
            "birthplace_comune",
            "birthplace_country",
            "residence_comune",
            "residence_country",
            "citizenship",
            "education",
            "email",
            "phone",
            "privacy_ack_on",
        )
        import_id_fields = ("fiscal_code",)
        clean_model_instances = True
        skip_unchanged = False
        report_skipped = True
        use_transactions = True

    def get_instance(self, instance_loader, row):  # noqa: ANN001, ANN201
        code = FiscalCodeWidget().clean(row.get("codice_fiscale"))
        if code:
            return Person.objects.filter(fiscal_code=code).first()
        try:
            birth_date = DateWidget().clean(row.get("data_nascita"))
        except ValueError:
            return None  # reported by the field itself
        matches = list(
            Person.objects.filter(
                fiscal_code__isnull=True,
                last_name__iexact=TextWidget().clean(row.get("cognome")),
                first_name__iexact=TextWidget().clean(row.get("nome")),
                birth_date=birth_date,
            )[:2]
        )
        return matches[0] if len(matches) == 1 else None

    def filter_export(self, queryset, **kwargs):  # noqa: ANN001, ANN003, ANN201
        return queryset.select_related(
            "birthplace_comune", "birthplace_country", "residence_comune", "residence_country"
        )


class IntakeResource(CaseworkResource):
    """Intakes, recognised by id. A new intake takes its snapshot (age at intake, origin...)
    from the person, exactly as one typed in the app."""

    id = _field("id", "id", IntegerWidget())
    person = _field("person", "codice_fiscale", PersonWidget())
    person_id = _field("person_id", "id_persona", IntegerWidget(), readonly=True)
    desk = _field("desk", "sportello", DeskWidget())
    opened_on = _field("opened_on", "data_presa_in_carico", DateWidget())
    operator = _field("operator", "operatore", UserWidget())
    channel = _field("channel", "canale", ChoiceWidget(IntakeChannel))
    main_need = _field("main_need", "bisogno_principale", ChoiceWidget(Need))
    needs = _field("needs", "bisogni", TextWidget())
    labour_status = _field("labour_status", "condizione_occupazionale", ChoiceWidget(LabourStatus))
    unemployment_months = _field("unemployment_months", "mesi_disoccupazione", IntegerWidget())
    recent_graduate = _field("recent_graduate", "neolaureato", BooleanWidget(empty=False))
    returning_after_care = _field(
        "returning_after_care", "rientro_dopo_cura", BooleanWidget(empty=False)
    )
    status = _field("status", "stato", ChoiceWidget(IntakeStatus))
    closed_on = _field("closed_on", "data_chiusura", DateWidget())
    closure_reason = _field("closure_reason", "motivo_chiusura", ChoiceWidget(ClosureReason))
    closure_note = _field("closure_note", "nota_chiusura", TextWidget())
    # The snapshot, exported for reading; never imported (it is computed).
    age_at_intake = _field(
        "age_at_intake", "eta_alla_presa_in_carico", IntegerWidget(), readonly=True
    )
    age_band = _field("age_band", "fascia_eta", TextWidget(), readonly=True)
    esf_age_band = _field("esf_age_band", "fascia_eta_fse", TextWidget(), readonly=True)
    origin = _field("origin", "provenienza", TextWidget(), readonly=True)

    class Meta:
        model = Intake
        name = "Prese in carico"
        fields = (
            "id",
            "person",
            "person_id",
            "desk",
            "opened_on",
            "operator",
            "channel",
            "main_need",
            "needs",
            "labour_status",
            "unemployment_months",
            "recent_graduate",
            "returning_after_care",
            "status",
            "closed_on",
            "closure_reason",
            "closure_note",
            "age_at_intake",
            "age_band",
            "esf_age_band",
            "origin",
        )
        import_id_fields = ["id"]  # optional column: an empty id is a new row
        clean_model_instances = True
        skip_unchanged = False
        report_skipped = True
        use_transactions = True

    def get_instance(self, instance_loader, row):  # noqa: ANN001, ANN201
        raw = row.get("id")
        if _blank(raw):
            return None  # a new intake
        try:
            pk = IntegerWidget().clean(raw)
        except ValueError:
            return None  # reported by the id field
        return Intake.objects.filter(pk=pk).first()

    def import_instance(self, instance, row, **kwargs):  # noqa: ANN001, ANN003, ANN201
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            if instance._state.adding and instance.person_id and instance.opened_on:
                instance.take_snapshot()

    def extra_validation_exclusions(self, instance: Intake) -> set[str]:
        # No snapshot without a person and a date; their own errors are reported already.
        return set() if instance.age_band else set(_SNAPSHOT_FIELDS)

    def filter_export(self, queryset, **kwargs):  # noqa: ANN001, ANN003, ANN201
        return queryset.select_related("person", "desk", "operator")


class MeetingResource(CaseworkResource):
    id = _field("id", "id", IntegerWidget())
    intake = _field("intake", "presa_in_carico", IntakeWidget())
    held_on = _field("held_on", "data", DateWidget())
    start_time = _field("start_time", "ora", TimeWidget())
    mode = _field("mode", "modalita", ChoiceWidget(MeetingMode))
    duration_minutes = _field("duration_minutes", "durata_minuti", IntegerWidget())
    activities = _field("activities", "attivita", ActivitiesWidget())
    notes = _field("notes", "note", TextWidget())
    attended = _field("attended", "presente", BooleanWidget(empty=True))
    next_appointment_at = _field("next_appointment_at", "prossimo_appuntamento", DateTimeWidget())
    operator = _field("operator", "operatore", UserWidget())

    class Meta:
        model = Meeting
        name = "Colloqui"
        fields = (
            "id",
            "intake",
            "held_on",
            "start_time",
            "mode",
            "duration_minutes",
            "activities",
            "notes",
            "attended",
            "next_appointment_at",
            "operator",
        )
        import_id_fields = ["id"]  # optional column: an empty id is a new row
        clean_model_instances = True
        skip_unchanged = False
        report_skipped = True
        use_transactions = True

    def get_instance(self, instance_loader, row):  # noqa: ANN001, ANN201
        raw = row.get("id")
        if _blank(raw):
            return None
        try:
            pk = IntegerWidget().clean(raw)
        except ValueError:
            return None
        return Meeting.objects.filter(pk=pk).first()

    def import_instance(self, instance, row, **kwargs):  # noqa: ANN001, ANN003, ANN201
        # The library sets many-to-many values after saving, where a bad code would be a
        # bare exception: check the activity codes here so they are a row error like others.
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if "attivita" in row:
            try:
                self.fields["activities"].clean(row)
            except ValueError as exc:
                errors["activities"] = [str(exc)]
        if instance.duration_minutes is None:
            instance.duration_minutes = Meeting._meta.get_field("duration_minutes").default
        if errors:
            raise ValidationError(errors)

    def filter_export(self, queryset, **kwargs):  # noqa: ANN001, ANN003, ANN201
        return queryset.select_related("intake", "operator").prefetch_related("activities")


# --- Reporting the rows that are wrong -----------------------------------------------------


def row_errors(result: Result) -> list[tuple[int, str]]:
    """Every bad row of an import as (row number, Italian message), in file order.

    Row 1 is the first row after the header, as in the admin's preview.
    """
    lines: list[tuple[int, str]] = []
    for invalid in result.invalid_rows:
        parts = []
        for field, messages in invalid.error_dict.items():
            text = " ".join(str(m) for m in messages)
            parts.append(text if field == NON_FIELD_ERRORS else f"{field}: {text}")
        lines.append((invalid.number, "; ".join(parts)))
    for error_row in result.error_rows:
        lines.append((error_row.number, "; ".join(str(e.error) for e in error_row.errors)))
    lines.extend((0, str(e.error)) for e in result.base_errors)
    return sorted(lines)


def bad_row_numbers(result: Result) -> Iterable[int]:
    return sorted({number for number, _message in row_errors(result)})
