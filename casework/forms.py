"""The operators' forms. Messages in Italian; the models' ``clean()`` and the database
constraints remain the last word, these forms only make the answer friendly.

Dates use the browser's date inputs (ISO values, shown dd/mm/yyyy in an Italian browser);
the comune fields are plain text inputs resolved by the server ("Casalmaggiore (CR)"),
enhanced with an autocomplete by ``static/js/comune-autocomplete.js``.
"""

from __future__ import annotations

import secrets
from typing import Any

from crispy_forms.layout import HTML, Column, Fieldset, Row
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casework import fiscal_code
from casework.choices import CrossDeskReason, MeetingMode
from casework.fields import (
    ComuneField,
    CountedTextarea,
    DateInput,
    DateTimeInput,
    IdChoiceField,
    IdMultipleChoiceField,
    PhoneField,
    TimeInput,
    VersionField,
    form_helper,
    today_initial,
    typed_field,
)
from casework.models import (
    SPECIAL_CATEGORY_FIELDS,
    Activity,
    Intake,
    Meeting,
    Partner,
    Person,
    Referral,
    search_text,
)
from casework.permissions import sees_special_categories
from sportelli.models import Comune, Country

# --- Person -------------------------------------------------------------------------------


class PersonForm(forms.ModelForm):
    """The person's data. A valid CF fills birth date, sex and birthplace left empty."""

    birthplace_comune = ComuneField(
        label=_("Comune di nascita"), required=False, datalist_id="birthplace-comuni"
    )
    residence_comune = ComuneField(
        label=_("Comune di residenza"),
        required=False,
        datalist_id="residence-comuni",
        help_text=_("Scrivere le prime lettere e scegliere, es. «Casalmaggiore (CR)»."),
    )

    class Meta:
        model = Person
        fields = [
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
            "foreign_background",
            "is_homeless",
            "has_disability",
            "is_minority",
        ]
        field_classes = {
            "birthplace_country": IdChoiceField,
            "residence_country": IdChoiceField,
            "phone": PhoneField,
        }
        widgets = {
            "birth_date": DateInput(),
            "privacy_ack_on": DateInput(),
            "fiscal_code": forms.TextInput(
                attrs={"autocomplete": "off", "spellcheck": "false", "class": "text-uppercase"}
            ),
            "foreign_background": forms.NullBooleanSelect(),
            "is_homeless": forms.NullBooleanSelect(),
            "has_disability": forms.NullBooleanSelect(),
            "is_minority": forms.NullBooleanSelect(),
        }
        help_texts = {
            "fiscal_code": _(
                "Se valido, compila data di nascita, sesso e luogo di nascita lasciati vuoti."
            ),
        }

    # Special-category data (GDPR art. 9 and the ESF+ "disadvantaged participants" answers):
    # shown and editable only for those who see them (sees_special_categories). Without it
    # the fields are not in the form at all, so a forged POST cannot set them either. One list
    # for the forms, the admin and the audit trail (casework.models); the review counts them
    # only for holders.
    SPECIAL_CATEGORY_FIELDS = SPECIAL_CATEGORY_FIELDS

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shows_special_category = user is not None and sees_special_categories(user)
        if not self.shows_special_category:
            for name in self.SPECIAL_CATEGORY_FIELDS:
                del self.fields[name]
        # Filled from the CF when empty: required only for people without one (clean()).
        self.fields["birth_date"].required = False
        self.fields["gender"].required = False
        self.fields["gender"].help_text = _("Con un codice fiscale valido si può lasciare vuoto.")
        countries = Country.objects.order_by("name")
        typed_field(self, "birthplace_country", forms.ModelChoiceField).queryset = countries
        typed_field(self, "residence_country", forms.ModelChoiceField).queryset = countries
        self.cf_data: fiscal_code.FiscalCodeData | None = None
        self.helper = form_helper(
            Fieldset(
                _("Anagrafica"),
                Row(
                    Column(
                        "fiscal_code",
                        # Filled by static/js/intake.js with what the CF says.
                        HTML(
                            format_html(
                                '<div id="cf-feedback" class="small mb-3" aria-live="polite" '
                                'data-valid-text="{}"></div>',
                                gettext("Codice fiscale valido"),
                            )
                        ),
                        css_class="col-md-4",
                    ),
                    Column("last_name", css_class="col-md-4"),
                    Column("first_name", css_class="col-md-4"),
                ),
                Row(
                    Column("birth_date", css_class="col-md-4"),
                    Column("gender", css_class="col-md-4"),
                    Column("citizenship", css_class="col-md-4"),
                ),
                Row(
                    Column("birthplace_comune", css_class="col-md-6"),
                    Column("birthplace_country", css_class="col-md-6"),
                ),
            ),
            Fieldset(
                _("Residenza e contatti"),
                Row(
                    Column("residence_comune", css_class="col-md-6"),
                    Column("residence_country", css_class="col-md-6"),
                ),
                Row(
                    Column("email", css_class="col-md-4"),
                    Column("phone", css_class="col-md-4"),
                    Column("privacy_ack_on", css_class="col-md-4"),
                ),
            ),
            Fieldset(
                _("Istruzione e indicatori FSE+"),
                Row(Column("education", css_class="col-md-6")),
                *(
                    [Row(*(Column(n, css_class="col-md-3") for n in self.SPECIAL_CATEGORY_FIELDS))]
                    if self.shows_special_category
                    else []
                ),
            ),
        )

    def clean_fiscal_code(self) -> str | None:
        value = fiscal_code.normalise(self.cleaned_data.get("fiscal_code") or "")
        if not value:
            return None
        self.cf_data = fiscal_code.decode(value)  # ValidationError in Italian
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        cf_data = self.cf_data
        if cf_data:
            if not data.get("birth_date") and "birth_date" not in self.errors:
                data["birth_date"] = cf_data.birth_date
            if not data.get("gender") and "gender" not in self.errors:
                data["gender"] = cf_data.sex
            if not data.get("birthplace_comune") and not data.get("birthplace_country"):
                if cf_data.born_abroad:
                    data["birthplace_country"] = Country.objects.filter(
                        code=cf_data.birthplace_code
                    ).first()
                else:
                    data["birthplace_comune"] = Comune.objects.filter(
                        code=cf_data.birthplace_code
                    ).first()
        elif "fiscal_code" not in self.errors:
            if not data.get("birth_date") and "birth_date" not in self.errors:
                self.add_error(
                    "birth_date",
                    _("Indicare la data di nascita (senza codice fiscale è obbligatoria)."),
                )
            if not data.get("gender") and "gender" not in self.errors:
                self.add_error(
                    "gender", _("Indicare il genere (senza codice fiscale è obbligatorio).")
                )
        if data.get("residence_comune") and data.get("residence_country"):
            self.add_error(
                "residence_country",
                _("Indicare il comune di residenza oppure lo stato estero, non entrambi."),
            )
        if data.get("birthplace_comune") and data.get("birthplace_country"):
            self.add_error(
                "birthplace_country",
                _("Indicare il comune di nascita oppure lo stato estero, non entrambi."),
            )
        return data

    def sex_warning(self) -> str | None:
        """The CF sex-mismatch warning (a warning, not an error: see fiscal_code)."""
        if self.cf_data is None or not hasattr(self, "cleaned_data"):
            return None
        return fiscal_code.sex_mismatch(self.cf_data, self.cleaned_data.get("gender"))


class PersonEditForm(PersonForm):
    version = VersionField()


# --- Intake -------------------------------------------------------------------------------


def new_submission_token() -> str:
    return secrets.token_urlsafe(16)


class IntakeForm(forms.ModelForm):
    # One per page load, kept across re-displays with errors (casework.services.take_in).
    submission_token = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=32, initial=new_submission_token
    )

    class Meta:
        model = Intake
        fields = [
            "opened_on",
            "channel",
            "main_need",
            "needs",
            "labour_status",
            "unemployment_months",
            "recent_graduate",
            "returning_after_care",
        ]
        widgets = {"opened_on": DateInput(), "needs": CountedTextarea()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today_initial(self, "opened_on")
        self.helper = form_helper(
            Fieldset(
                _("Presa in carico"),
                Row(
                    Column("opened_on", css_class="col-md-4"),
                    Column("channel", css_class="col-md-4"),
                    Column("main_need", css_class="col-md-4"),
                ),
                "needs",
                Row(
                    Column("labour_status", css_class="col-md-6"),
                    Column("unemployment_months", css_class="col-md-6"),
                ),
                "recent_graduate",
                "returning_after_care",
            )
        )


class DuplicateConfirmForm(forms.Form):
    """Shown when a person without CF looks like one already registered."""

    confirm_new_person = forms.BooleanField(
        label=_("Confermo che si tratta di una persona diversa"), required=False
    )


class CloseIntakeForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Intake
        fields = ["closed_on", "closure_reason", "closure_note"]
        widgets = {"closed_on": DateInput(), "closure_note": CountedTextarea()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].required = True
        self.fields["closure_reason"].required = True
        self.helper = form_helper()


class ReopenIntakeForm(forms.Form):
    version = VersionField()


# --- Meeting ------------------------------------------------------------------------------


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "held_on",
            "start_time",
            "mode",
            "duration_minutes",
            "attended",
            "activities",
            "notes",
            "next_appointment_at",
        ]
        field_classes = {"activities": IdMultipleChoiceField}
        widgets = {
            "held_on": DateInput(),
            "start_time": TimeInput(),
            "next_appointment_at": DateTimeInput(),
            "activities": forms.CheckboxSelectMultiple,
            "notes": CountedTextarea(attrs={"rows": 4}),
            "mode": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today_initial(self, "held_on")
        activities = typed_field(self, "activities", forms.ModelMultipleChoiceField)
        activities.queryset = Activity.objects.filter(active=True)
        # The modes without the model form's empty choice (no radio button for nothing).
        typed_field(self, "mode", forms.ChoiceField).choices = MeetingMode.choices
        duration = typed_field(self, "duration_minutes", forms.IntegerField)
        duration.widget.attrs.update({"min": 1, "max": 600})
        # One message for every out-of-range duration, -5 as much as 0 or 601 (UX audit B26).
        duration.validators = [
            v
            for v in duration.validators
            if not isinstance(v, MinValueValidator | MaxValueValidator)
        ]
        self.helper = form_helper(
            Row(
                Column("held_on", css_class="col-md-4"),
                Column("start_time", css_class="col-md-4"),
                Column("duration_minutes", css_class="col-md-4"),
            ),
            "mode",
            "attended",
            "activities",
            "notes",
            "next_appointment_at",
        )

    def clean_duration_minutes(self) -> int:
        minutes = self.cleaned_data["duration_minutes"]
        if minutes is not None and not 1 <= minutes <= 600:
            raise ValidationError(
                _("La durata va da 1 a 600 minuti (10 ore)."), code="duration_range"
            )
        return minutes


class MeetingEditForm(MeetingForm):
    version = VersionField()


# --- Referral -----------------------------------------------------------------------------


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["kind", "partner", "description", "referred_on", "outcome", "outcome_on", "notes"]
        field_classes = {"partner": IdChoiceField}
        widgets = {
            "referred_on": DateInput(),
            "outcome_on": DateInput(),
            "notes": CountedTextarea(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today_initial(self, "referred_on")
        partner = typed_field(self, "partner", forms.ModelChoiceField)
        partner.queryset = Partner.objects.filter(active=True)
        self.helper = form_helper()


class ReferralEditForm(ReferralForm):
    version = VersionField()


class ReferralOutcomeForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Referral
        fields = ["outcome", "outcome_on", "notes"]
        widgets = {"outcome_on": DateInput(), "notes": CountedTextarea()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


# --- Search -------------------------------------------------------------------------------


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Cerca per cognome, nome o codice fiscale"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class KnownPersonForm(forms.Form):
    """Takes in, at this desk, a person known elsewhere, identified by the CF (in the POST
    body, never in a URL)."""

    known_cf = forms.CharField(widget=forms.HiddenInput, max_length=16)

    def clean_known_cf(self) -> str:
        return fiscal_code.normalise(self.cleaned_data["known_cf"])


class CrossDeskForm(forms.Form):
    """Why this desk takes in a person whose cases are all at other desks (review M6)."""

    reason = forms.ChoiceField(
        label=_("Perché la prendi in carico in questo sportello?"),
        choices=[("", "---------"), *CrossDeskReason.choices],
        error_messages={"required": _("Indicare il motivo della presa in carico.")},
    )
    note = forms.CharField(
        label=_("Spiegazione"),
        required=False,
        max_length=500,
        widget=CountedTextarea(attrs={"rows": 2}),
        help_text=_(
            "Obbligatoria per «Altro motivo». La vedono gli operatori degli sportelli che "
            "seguono già la persona e gli amministratori: niente dati sanitari o particolari."
        ),
    )

    last_name_check = forms.CharField(
        label=_("Cognome, come sul documento della persona"),
        max_length=100,
        help_text=_(
            "Per verificare che il codice fiscale sia proprio della persona presente: il "
            "cognome registrato non viene mostrato finché la presa in carico non è registrata."
        ),
        error_messages={"required": _("Scrivere il cognome della persona, dal suo documento.")},
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_last_name_check(self) -> str:
        """UX audit B 27: the operator cannot see the registered name before the take-in
        (review M6), so they type the surname from the person's document and it must match
        the registry's (case, accents, spaces and apostrophes aside)."""
        typed = self.cleaned_data["last_name_check"]
        if _bare_name(typed) != _bare_name(self.person.last_name):
            raise forms.ValidationError(
                _(
                    "Il cognome non corrisponde a quello registrato con questo codice fiscale: "
                    "controllare il documento e il codice fiscale della persona."
                )
            )
        return typed

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("reason") == CrossDeskReason.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", _("Per «Altro motivo» scrivere la spiegazione."))
        return cleaned


def _bare_name(value: str) -> str:
    """A name compared as written on a document: no case, accents, spaces or apostrophes."""
    return "".join(ch for ch in search_text(value) if ch.isalnum())


# --- Corrections --------------------------------------------------------------------------


class IntakeCorrectionForm(IntakeForm):
    """Corrects what was typed at the intake, the residence at intake included (the
    snapshot's comune; empty for a residence abroad). Not for a change in the person's life:
    a move is recorded on the person and leaves past intakes as they were."""

    submission_token = None  # type: ignore[assignment]  # only the new-intake form has one
    version = VersionField()
    residence_comune = ComuneField(
        label=_("Comune di residenza alla presa in carico"),
        required=False,
        datalist_id="residence-comuni",
        help_text=_(
            "Da correggere solo se era sbagliato il giorno della presa in carico; "
            "vuoto per chi risiedeva all'estero. Un trasloco successivo si registra "
            "nell'anagrafica."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "residence_comune" not in self.initial:
            self.initial["residence_comune"] = self.instance.residence_comune
        self.helper.layout[0].fields.append("residence_comune")  # in the intake's fieldset

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        opened_on, closed_on = cleaned.get("opened_on"), self.instance.closed_on
        if opened_on and closed_on and opened_on > closed_on:
            self.add_error(
                "opened_on",
                _("La presa in carico è stata chiusa il %(date)s: non può essere successiva.")
                % {"date": f"{closed_on:%d/%m/%Y}"},
            )
        return cleaned

    def _update_errors(self, errors: ValidationError) -> None:
        """The model's errors on fields this form has not (the closure's) as the form's."""
        if hasattr(errors, "error_dict"):
            mapped: dict[str, list[ValidationError]] = {}
            for name, errs in errors.error_dict.items():
                key = name if name in self.fields else NON_FIELD_ERRORS
                mapped.setdefault(key, []).extend(errs)
            errors = ValidationError(mapped)
        super()._update_errors(errors)  # type: ignore[misc]  # Django's hook, not in the stubs


class ClosureCorrectionForm(CloseIntakeForm):
    """Corrects the date, reason or note of a closed intake (it stays closed)."""
