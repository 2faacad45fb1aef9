"""The follow-through's forms: closing a case (and correcting the closure) with the situation
at exit; a contact attempt; the answers of the two follow-up tasks."""

from __future__ import annotations

from typing import Any

from crispy_forms.layout import Fieldset
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from activitycr import clock
from casework.choices import LabourStatus
from casework.fields import CountedTextarea, DateInput, DateTimeInput, form_helper
from casework.forms import CloseIntakeForm, ClosureCorrectionForm
from casework.models import Intake
from followup import services
from followup.choices import AttemptChannel, AttemptOutcome, ExitResult, Source
from followup.models import (
    ANSWER_NOTE_MAX_LENGTH,
    ATTEMPT_NOTE_MAX_LENGTH,
    ExitSituation,
    FollowUpTask,
)

_SOURCES = [("", "—"), *Source.choices]


def _results_field(label: Any, help_text: Any = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=ExitResult.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=help_text,
    )


class _ExitFields(forms.ModelForm):
    """The closure's own fields, then where the person stands at exit (ESF+)."""

    exit_results = _results_field(
        _("Situazione in uscita"),
        _(
            "Una o più voci. Se non è ancora nota lasciare tutto vuoto: tra quattro "
            "settimane il sistema propone di verificarla."
        ),
    )
    exit_source = forms.ChoiceField(label=_("Fonte"), choices=_SOURCES, required=False)
    exit_as_of = forms.DateField(
        label=_("Data a cui si riferisce"), required=False, widget=DateInput()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        situation = ExitSituation.objects.filter(intake_id=self.instance.pk).first()
        if situation is not None and situation.known:
            self.fields["exit_results"].initial = [str(r) for r in situation.results]
            self.fields["exit_source"].initial = situation.source
            self.fields["exit_as_of"].initial = situation.as_of
        self.helper = form_helper(
            "closed_on",
            "closure_reason",
            "closure_note",
            Fieldset(_("Situazione in uscita (FSE+)"), "exit_results", "exit_source", "exit_as_of"),
        )

    def exit_answer(self) -> services.ExitAnswer:
        return services.ExitAnswer(
            results=frozenset(ExitResult(r) for r in self.cleaned_data.get("exit_results") or ()),
            source=self.cleaned_data.get("exit_source") or "",
            as_of=self.cleaned_data.get("exit_as_of"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors.get("exit_results") or self.errors.get("exit_as_of"):
            return cleaned
        try:
            services.check_exit_answer(
                self.exit_answer(),
                opened_on=self.instance.opened_on,
                closed_on=cleaned.get("closed_on"),
                fields=services.EXIT_FORM_FIELDS,
            )
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                for error in errors:
                    self.add_error(field, error)
        return cleaned


class CloseWithExitForm(_ExitFields, CloseIntakeForm):
    class Meta(CloseIntakeForm.Meta):
        model = Intake


class ClosureWithExitCorrectionForm(_ExitFields, ClosureCorrectionForm):
    class Meta(ClosureCorrectionForm.Meta):
        model = Intake


class AttemptForm(forms.Form):
    made_at = forms.DateTimeField(label=_("Data e ora"), widget=DateTimeInput())
    channel = forms.ChoiceField(
        label=_("Canale"), choices=AttemptChannel.choices, widget=forms.RadioSelect
    )
    outcome = forms.ChoiceField(label=_("Esito"), choices=AttemptOutcome.choices)
    note = forms.CharField(
        label=_("Nota"),
        required=False,
        max_length=ATTEMPT_NOTE_MAX_LENGTH,
        widget=CountedTextarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["made_at"].initial = lambda: clock.now().replace(second=0, microsecond=0)
        self.fields["made_at"].show_hidden_initial = False
        self.helper = form_helper()


class _AnswerBase(forms.Form):
    source = forms.ChoiceField(label=_("Fonte"), choices=Source.choices)
    note = forms.CharField(
        label=_("Nota"),
        required=False,
        max_length=ANSWER_NOTE_MAX_LENGTH,
        widget=CountedTextarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, task: FollowUpTask, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.task = task
        self.helper = form_helper()


class ExitCheckAnswerForm(_AnswerBase):
    results = _results_field(_("Situazione in uscita"))
    answered_on = forms.DateField(
        label=_("Data a cui si riferisce"),
        widget=DateInput(),
        help_text=_("Entro quattro settimane dalla chiusura."),
    )
    field_order = ["results", "source", "answered_on", "note"]

    def clean_results(self) -> list[str]:
        results: list[str] = self.cleaned_data.get("results") or []
        if not results:
            raise ValidationError(_("Indicare la situazione in uscita."))
        return results


_YES_NO = [("si", _("Sì")), ("no", _("No"))]


class SixMonthsAnswerForm(_AnswerBase):
    employed = forms.TypedChoiceField(
        label=_("A sei mesi dall'uscita è occupato/a (compreso il lavoro autonomo)?"),
        choices=_YES_NO,
        coerce=lambda v: v == "si",
        widget=forms.RadioSelect,
    )
    improved = forms.TypedChoiceField(
        label=_("La sua situazione lavorativa è migliorata?"),
        choices=_YES_NO,
        coerce=lambda v: v == "si",
        widget=forms.RadioSelect,
        required=False,
        empty_value=None,
        help_text=_(
            "Solo per chi era occupato/a alla presa in carico (FSE+): passaggio da un lavoro "
            "precario a uno stabile, da un impiego ridotto a uno a tempo pieno, a un lavoro "
            "che richiede più competenze o responsabilità, oppure una promozione."
        ),
    )
    answered_on = forms.DateField(label=_("Data a cui si riferisce"), widget=DateInput())
    field_order = ["employed", "improved", "source", "answered_on", "note"]

    def __init__(self, *args: Any, task: FollowUpTask, **kwargs: Any) -> None:
        super().__init__(*args, task=task, **kwargs)
        if task.intake.labour_status != LabourStatus.EMPLOYED:
            del self.fields["improved"]
