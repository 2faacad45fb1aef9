"""Home, a desk's dashboard and the people search."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from activitycr.http import AuthenticatedHttpRequest
from casework import queries, searchref
from casework.forms import SearchForm
from casework.models import local_today
from casework.permissions import reads_review
from casework.views.common import desk_from_url, needs
from sportelli.models import Desk

SEARCH_REF_VAR = "ricerca"  # the results page's opaque reference (never the term itself)


@login_required
def after_login(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where the login sends each role (``LOGIN_REDIRECT_URL``; an explicit ``?next=`` wins,
    the login view sees to that): administrators to the admin, the Ufficio di Piano to the
    quarterly review, operators to their last desk (``home``)."""
    if request.user.is_staff:
        return redirect("admin:index")
    if reads_review(request.user):
        return redirect("reports:review")
    return redirect("home")


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


@needs("casework.view_intake")
def overdue(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """All the overdue follow-ups of a desk, oldest intake first, a page at a time: desks,
    count, page rows — 3 queries whatever the size."""
    desk, desks = desk_from_url(request, slug)
    today = local_today()
    paginator = Paginator(queries.overdue_rows(desk, today=today), queries.OVERDUE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("pagina"))
    return render(
        request,
        "casework/overdue.html",
        {
            "desk": desk,
            "desks": desks,
            "page": page,
            "rows": [queries.overdue_row(intake, today) for intake in page.object_list],
            "overdue_days": settings.OVERDUE_FOLLOWUP_DAYS,
        },
    )


@needs("casework.view_person")
def search(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """People search, POST-redirect-GET. The query travels in the POST body (it may be a CF)
    and is kept in the session (``casework/searchref.py``); the results page is addressed by
    an opaque, per-user, short-lived reference (``?ricerca=<token>``), so Back and reload
    show the results again and no CF or surname is ever in an address."""
    desk, desks = desk_from_url(request, slug)
    result = None
    expired = False
    if request.method == "POST":
        form = SearchForm(request.POST)
        if form.is_valid():
            token = searchref.store(request, form.cleaned_data["q"])
            url = reverse("casework:search", args=[desk.slug])
            return redirect(f"{url}?{urlencode({SEARCH_REF_VAR: token})}")
    elif SEARCH_REF_VAR in request.GET:
        term = searchref.recall(request, request.GET[SEARCH_REF_VAR])
        form = SearchForm({"q": term} if term is not None else None)
        if form.is_valid():
            result = queries.search_people(user=request.user, query=form.cleaned_data["q"])
        else:
            form = SearchForm()
            expired = True
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
            "search_expired": expired,
            # Carried to "Nuova presa in carico", which takes a CF searched for from it.
            "search_ref": request.GET.get(SEARCH_REF_VAR) if result is not None else None,
            "can_add": request.user.has_perm("casework.add_intake"),
        },
    )
