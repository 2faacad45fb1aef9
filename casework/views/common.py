"""What every page family needs: the permission decorator, the desk of the URL, the link
to a case."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from casework.models import Intake
from sportelli.models import Desk

View = Callable[..., HttpResponse]


def needs(perm: str, *, resumable: bool = False) -> Callable[[View], View]:
    """Anonymous -> login page; logged in without ``perm`` -> 403.

    ``resumable``: the view's GET shows its form bound to ``editing.resumed(request)``, so
    a POST sent after the session expired is kept for after the new login
    (``twofactor.pending`` reads the mark); other pages' POSTs are not kept."""

    def decorator(view: View) -> View:
        wrapped = login_required(permission_required(perm, raise_exception=True)(view))
        vars(wrapped)["resumes_typed_form"] = resumable
        return wrapped

    return decorator


def desk_from_url(request: HttpRequest, slug: str) -> tuple[Desk, list[Desk]]:
    """The desk named in the URL if the user may see it (else 404), and all the user's
    desks (the pages' desk menu)."""
    desks = list(Desk.objects.visible_to(request.user).order_by("opened_on", "name"))
    for desk in desks:
        if desk.slug == slug:
            return desk, desks
    raise Http404


def case_url(intake: Intake) -> str:
    return reverse("casework:person", args=[intake.person_id]) + f"#presa-{intake.pk}"
