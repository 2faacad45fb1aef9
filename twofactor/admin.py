"""Accounts in Django admin: enrolment codes.

* **Enrolment codes** (``EnrolmentCode``): *Aggiungi* issues a one-time code for a user and
  shows it once, on the page that follows; the database keeps only its hash. The user list
  has the same as an action, for several users at once.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from twofactor import services
from twofactor.models import EnrolmentCode


def _issued_page(request: HttpRequest, codes: list[tuple[EnrolmentCode, str]]) -> HttpResponse:
    """The one page that shows the codes just issued (never cached: SecurityHeadersMiddleware
    and the admin's own never_cache)."""
    return TemplateResponse(
        request,
        "admin/twofactor/enrolmentcode/issued.html",
        {
            **admin.site.each_context(request),
            "title": _("Codici di attivazione rilasciati"),
            "codes": codes,
            "opts": EnrolmentCode._meta,
        },
    )


# --- Enrolment codes ---------------------------------------------------------------------------


class EnrolmentCodeForm(forms.ModelForm):
    class Meta:
        model = EnrolmentCode
        fields = ["user"]


@admin.register(EnrolmentCode)
class EnrolmentCodeAdmin(admin.ModelAdmin):
    form = EnrolmentCodeForm
    list_display = ["user", "status", "created_at", "expires_at", "used_at", "issued_by"]
    list_filter = ["created_at", "used_at"]
    list_select_related = ["user", "issued_by"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "created_at", "expires_at", "used_at", "issued_by"]

    @admin.display(description=_("stato"))
    def status(self, obj: EnrolmentCode) -> str:
        return obj.status

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.readonly_fields if obj is not None else []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):  # noqa: ANN201
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(is_active=True).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a code is issued, used or left to expire; never edited

    def save_model(self, request: HttpRequest, obj: EnrolmentCode, form: Any, change: bool) -> None:
        _code, obj.plain_code = services.issue_enrolment_code(
            user=obj.user, issued_by=request.user, code=obj
        )

    def response_add(self, request: HttpRequest, obj: EnrolmentCode, post_url_continue: Any = None):  # noqa: ANN201
        return _issued_page(request, [(obj, obj.plain_code)])


# --- Users -------------------------------------------------------------------------------------


admin.site.unregister(User)


@admin.register(User)
class AccountUserAdmin(UserAdmin):
    actions = ["issue_enrolment_codes"]

    def has_issue_enrolment_code_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("twofactor.add_enrolmentcode")

    @admin.action(
        description=_("Rilascia un codice di attivazione del secondo fattore"),
        permissions=["issue_enrolment_code"],
    )
    def issue_enrolment_codes(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse:
        codes = [
            services.issue_enrolment_code(user=user, issued_by=request.user)
            for user in queryset.filter(is_active=True).order_by("username")
        ]
        for code, _plain in codes:
            self.log_addition(request, code, [{"added": {}}])
        return _issued_page(request, codes)
