"""Accounts in Django admin: enrolment codes, and users and groups that an administrator who
is not a superuser cannot use to raise anyone above themselves.

* **Enrolment codes** (``EnrolmentCode``): *Aggiungi* issues a one-time code for a user and
  shows it once, on the page that follows; the database keeps only its hash. The user list
  has the same as an action, for several users at once.
* **Users and groups**, for non-superusers (the Amministratore role holds
  ``auth.change_user`` and ``auth.change_group``): *Superuser* is read-only; the permissions
  and groups offered are only those within the administrator's own permissions (checked again
  when saving); and accounts or groups holding more than the administrator — superusers
  included — can be viewed but not changed, given a new password or deleted.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from activitycr.http import logged_in_user
from twofactor import services
from twofactor.models import EnrolmentCode

# --- What an administrator may hand out -----------------------------------------------------

_HELD_PERMISSION_IDS = "_held_permission_ids"  # the request's cache of them


def _held_permission_ids(request: HttpRequest) -> frozenset[int]:
    """The acting user's permissions (direct and through groups), read once per request,
    before anything is saved."""
    cached = getattr(request, _HELD_PERMISSION_IDS, None)
    if cached is None:
        user = request.user
        permissions = Permission.objects.all()
        if not user.is_superuser:
            permissions = permissions.filter(Q(user=user) | Q(group__user=user))
        cached = frozenset(permissions.values_list("pk", flat=True))
        setattr(request, _HELD_PERMISSION_IDS, cached)
    return cached


def _grantable_permissions(request: HttpRequest) -> QuerySet[Permission]:
    return Permission.objects.filter(pk__in=_held_permission_ids(request))


def _grantable_groups(request: HttpRequest) -> QuerySet[Group]:
    not_held = Permission.objects.exclude(pk__in=_held_permission_ids(request))
    return Group.objects.exclude(permissions__in=not_held)


def _user_outranks(request: HttpRequest, target: User) -> bool:
    """``target`` is a superuser or holds a permission the acting user does not."""
    if request.user.is_superuser:
        return False
    if target.is_superuser:
        return True
    return (
        Permission.objects.filter(Q(user=target) | Q(group__user=target))
        .exclude(pk__in=_held_permission_ids(request))
        .exists()
    )


def _group_outranks(request: HttpRequest, group: Group) -> bool:
    if request.user.is_superuser:
        return False
    return group.permissions.exclude(pk__in=_held_permission_ids(request)).exists()


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

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(is_active=True).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a code is issued, used or left to expire; never edited

    def save_model(self, request: HttpRequest, obj: EnrolmentCode, form: Any, change: bool) -> None:
        _code, obj.plain_code = services.issue_enrolment_code(
            user=obj.user, issued_by=logged_in_user(request), code=obj
        )

    def response_add(self, request: HttpRequest, obj: EnrolmentCode, post_url_continue: Any = None):
        return _issued_page(request, [(obj, obj.plain_code)])


# --- Users and groups ---------------------------------------------------------------------------


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AccountUserAdmin(UserAdmin):
    actions = ["issue_enrolment_codes"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields.append("is_superuser")
        return fields

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if not request.user.is_superuser:
            if db_field.name == "user_permissions":
                kwargs["queryset"] = _grantable_permissions(request).select_related("content_type")
            elif db_field.name == "groups":
                kwargs["queryset"] = _grantable_groups(request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or not _user_outranks(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not _user_outranks(request, obj))

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            # Whatever was posted: a new account is not a superuser, an existing one keeps
            # its flag (and a superuser's account is not changeable here at all).
            obj.is_superuser = change and User.objects.filter(pk=obj.pk, is_superuser=True).exists()
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if not request.user.is_superuser:
            user = form.instance
            user.user_permissions.remove(
                *user.user_permissions.exclude(pk__in=_held_permission_ids(request))
            )
            user.groups.remove(*user.groups.exclude(pk__in=_grantable_groups(request)))

    def has_issue_enrolment_code_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("twofactor.add_enrolmentcode")

    @admin.action(
        description=_("Rilascia un codice di attivazione del secondo fattore"),
        permissions=["issue_enrolment_code"],
    )
    def issue_enrolment_codes(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse:
        codes = [
            services.issue_enrolment_code(user=user, issued_by=logged_in_user(request))
            for user in queryset.filter(is_active=True).order_by("username")
        ]
        for code, _plain in codes:
            self.log_addition(request, code, [{"added": {}}])
        return _issued_page(request, codes)


@admin.register(Group)
class AccountGroupAdmin(GroupAdmin):
    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "permissions" and not request.user.is_superuser:
            kwargs["queryset"] = _grantable_permissions(request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or not _group_outranks(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not _group_outranks(request, obj))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if not request.user.is_superuser:
            group = form.instance
            group.permissions.remove(
                *group.permissions.exclude(pk__in=_held_permission_ids(request))
            )
