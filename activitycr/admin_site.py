"""The project's admin site: Django's, with the autocomplete searched by POST.

What is typed in an autocomplete widget (a surname, a codice fiscale) would otherwise travel
as ``/admin/autocomplete/?term=...`` and land in the proxy's access log and the browser's
history (security review M7). ``static/js/admin-autocomplete-post.js`` sends the widgets'
requests by POST with the page's CSRF token; the view here answers POST only.
"""

from __future__ import annotations

from typing import cast

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.http import HttpRequest, HttpResponse


class PostAutocompleteJsonView(AutocompleteJsonView):
    """Django's autocomplete view, reading its parameters from the POST body."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        # Django's view and its paginator read the term, the field and the page from
        # request.GET: give them the POST body (the address carries nothing). Both only
        # read it, so the POST body itself (read-only, like request.GET) will do.
        request.GET = request.POST
        return super().get(request, *args, **kwargs)


class CaseDeskAdminSite(admin.AdminSite):
    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        view = PostAutocompleteJsonView.as_view(admin_site=self)
        # as_view() is typed for any response; this view answers JsonResponse or a 405.
        return cast(HttpResponse, view(request))


class CaseDeskAdminConfig(AdminConfig):
    default_site = "activitycr.admin_site.CaseDeskAdminSite"
