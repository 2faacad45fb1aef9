"""The territory for the forms: the comune autocomplete (JSON)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from sportelli.models import Comune

AUTOCOMPLETE_LIMIT = 15


@require_GET
@login_required
@permission_required("sportelli.view_comune", raise_exception=True)
def comune_autocomplete(request: HttpRequest) -> JsonResponse:
    """Comuni whose name starts with (or contains) ``q``: current ones first, those of the
    Casalasco district and of the province of Cremona before the rest. Public reference
    data; logged-in users with the role only. One query."""
    q = " ".join(request.GET.get("q", "").split())[:60]
    if len(q) < 2:
        return JsonResponse({"results": []})
    comuni = (
        Comune.objects.filter(name__icontains=q)
        .annotate(
            rank=Case(
                When(name__istartswith=q, is_casalasco=True, then=Value(0)),
                When(name__istartswith=q, province="CR", then=Value(1)),
                When(name__istartswith=q, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        .order_by("-active", "rank", "name")
        .values("id", "name", "province")[:AUTOCOMPLETE_LIMIT]
    )
    return JsonResponse(
        {"results": [{"id": c["id"], "label": f"{c['name']} ({c['province']})"} for c in comuni]}
    )
