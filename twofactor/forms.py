from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Codice a 6 cifre"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("Il codice è di 6 cifre, senza lettere.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        return self.cleaned_data["token"].strip()

    def refuse(self, message: str) -> None:
        """Add ``message`` to the code field and empty it: a refused code is never worth
        correcting, the next one is typed afresh."""
        self.add_error("token", message)
        self.data = {**dict(self.data.items()), "token": ""}


class LockoutPasswordChangeForm(PasswordChangeForm):
    """Django's password change, with the current password checked through ``authenticate()``
    so that django-axes counts a wrong one as a failed login (same limit, same lock)."""

    def __init__(self, user: AbstractBaseUser, *args: Any, request: HttpRequest, **kwargs: Any):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        authenticated = authenticate(
            self.request, username=self.user.get_username(), password=old_password
        )
        if authenticated is None or authenticated.pk != self.user.pk:
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label=_("Codice di attivazione"),
        max_length=40,
        help_text=_("Il codice che ti ha dato l'amministratore, per esempio ABCD-EFGH-JKLM."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True}
        ),
    )
