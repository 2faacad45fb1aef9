"""Home, a desk's dashboard and the people search."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render

from activitycr.http import AuthenticatedHttpRequest
from casework import queries
from casework.forms import SearchForm
from casework.views.common import desk_from_url, needs
from sportelli.models import Desk


@needs("casework.view_intake")
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """After login: the dashboard of the desk last used, or of the user's first desk."""
    desks = list(Desk.objects.visible_to(request.user).order_by("opened_on", "name"))
    if not desks:
        return render(request, "casework/no_desk.html")
    last = request.session.get("desk")
    desk = next((d for d in desks if d.slug == last), desks[0])
    return redirect("casework:desk", slug=desk.slug)


@needs("casework.view_intake")
def desk_dashboard(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    desk, desks = desk_from_url(request, slug)
    request.session["desk"] = desk.slug
    return render(
        request,
        "casework/dashboard.html",
        {
            "desk": desk,
            "desks": desks,
            "board": queries.dashboard(desk=desk),
            "board_cross_desk_days": queries.CROSS_DESK_DAYS,
            "search_form": SearchForm(),
            "can_add": request.user.has_perm("casework.add_intake"),
        },
    )


@needs("casework.view_person")
def search(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """People search. The query travels in the POST body (it may be a CF): never in a URL,
    and the results are rendered directly, with no redirect carrying it."""
    desk, desks = desk_from_url(request, slug)
    result = None
    if request.method == "POST":
        form = SearchForm(request.POST)
        if form.is_valid():
            result = queries.search_people(user=request.user, query=form.cleaned_data["q"])
    else:
        form = SearchForm()
    return render(
        request,
        "casework/search.html",
        {
            "desk": desk,
            "desks": desks,
            "search_form": form,
            "result": result,
            "can_add": request.user.has_perm("casework.add_intake"),
        },
    )
