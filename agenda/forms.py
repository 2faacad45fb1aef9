"""The agenda's forms: book or move an appointment, record a consent to reminders."""

from __future__ import annotations

from typing import Any

from crispy_forms.layout import Column, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from activitycr import clock
from agenda.models import Appointment, AppointmentMode, Channel, ConsentSource, ReminderConsent
from casework.fields import DateInput, DateTimeInput, form_helper


class AppointmentForm(forms.ModelForm):
    class Meta:
        model = Appointment
        fields = ["starts_at", "mode", "duration_minutes", "place"]
        widgets = {
            "starts_at": DateTimeInput(),
            "mode": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mode = self.fields["mode"]
        assert isinstance(mode, forms.ChoiceField)
        mode.choices = AppointmentMode.choices
        duration = self.fields["duration_minutes"]
        duration.widget.attrs.update({"min": 5, "max": 480})
        duration.error_messages["min_value"] = _("La durata va da 5 a 480 minuti.")
        duration.error_messages["max_value"] = _("La durata va da 5 a 480 minuti.")
        self.helper = form_helper(
            Row(
                Column("starts_at", css_class="col-md-5"),
                Column("duration_minutes", css_class="col-md-3"),
            ),
            "mode",
            "place",
        )


class ConsentForm(forms.ModelForm):
    class Meta:
        model = ReminderConsent
        fields = ["channel", "source", "given_on"]
        widgets = {
            "given_on": DateInput(),
            "channel": forms.RadioSelect,
            "source": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (("channel", Channel.choices), ("source", ConsentSource.choices)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
        self.fields["given_on"].initial = clock.today
        self.fields["given_on"].show_hidden_initial = False
        self.helper = form_helper(
            "channel", "source", Row(Column("given_on", css_class="col-md-4"))
        )

    def validate_unique(self) -> None:
        """The one-active-consent rule is the service's (it knows the person)."""
