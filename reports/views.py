"""The quarterly review page (Ufficio di Piano, administrators; operators for their desks)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from activitycr.http import AnyUser, AuthenticatedHttpRequest
from casework.permissions import reads_review, sees_all_desks
from reports.forms import ReviewFilterForm
from reports.review import Review, compute_review
from reports.tables import Table, Value
from reports.workbook import Variant, may_use_variant
from sportelli.models import Desk


def can_see_review(user: AnyUser) -> bool:
    """The Ufficio di Piano and administrators (all desks); operators (their own desks)."""
    return reads_review(user) or user.has_perm("casework.view_intake")


# The page's sections: heading and the tables under it, in order.
def _sections() -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        (
            "people",
            _("Persone, prese in carico e accessi"),
            ("people", "meetings_per_person", "meetings_mean"),
        ),
        (
            "who",
            _("Età, genere e provenienza"),
            ("age_band", "age_band_esf", "gender", "age_gender", "origin", "comuni"),
        ),
        ("work", _("Lavoro, istruzione e gruppi"), ("labour_status", "isced", "groups")),
        (
            "meetings",
            _("Colloqui"),
            (
                "meeting_mode",
                "meeting_attendance",
                "meeting_shares",
                "appointments_recorded",
                "appointments_missed",
                "no_show_rate",
            ),
        ),
        ("referrals", _("Invii ed esiti"), ("referral_kind", "referral_partner")),
        ("trend", _("Andamento e confronto"), ("trend", "change")),
        (
            "esf",
            _("Indicatori comuni FSE+"),
            ("esf_labour", "esf_age", "esf_isced", "esf_other", "esf_special"),
        ),
        (
            "esf_results",
            _("Risultati FSE+: all'uscita e a sei mesi"),
            ("esf_exit", "esf_six_months"),
        ),
    ]


def _series(table: Table[Value], column: int = -1) -> list[Value]:
    return [row.values[column] for row in table.rows]


def chart_specs(review: Review) -> list[dict[str, Any]]:
    """What static/js/reports.js draws: one chart per main breakdown, next to its table."""
    t = review.tables
    labels = {key: [row.label for row in table.rows] for key, table in t.items()}
    specs: list[dict[str, Any]] = []

    def add(table: str, kind: str, datasets: list[dict[str, Any]], **options: Any) -> None:
        specs.append(
            {
                "table": table,
                "type": kind,
                "labels": labels[table],
                "datasets": datasets,
                "horizontal": options.get("horizontal", False),
                "stacked": options.get("stacked", False),
            }
        )

    if len(review.desks) > 1:
        people = t["people"]
        specs.append(
            {
                "table": "people",
                "type": "bar",
                "labels": list(people.columns[:-1]),
                "datasets": [
                    {"label": row.label, "data": list(row.values[:-1])} for row in people.rows
                ],
                "horizontal": False,
                "stacked": False,
            }
        )
    for key in ("age_band", "gender", "labour_status", "isced", "meeting_mode"):
        add(key, "bar", [{"label": t[key].columns[-1], "data": _series(t[key])}])
    add("origin", "bar", [{"label": t["origin"].columns[-1], "data": _series(t["origin"])}],
        horizontal=True)  # fmt: skip
    gender = t["age_gender"]
    add(
        "age_gender",
        "bar",
        [
            {"label": column, "data": _series(gender, i)}
            for i, column in enumerate(gender.columns[:-1])
        ],
        stacked=True,
    )
    trend = t["trend"]
    add(
        "trend",
        "line",
        [{"label": column, "data": _series(trend, i)} for i, column in enumerate(trend.columns)],
    )
    return specs


@login_required
def review(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not can_see_review(user):
        raise PermissionDenied
    desks = list(Desk.objects.visible_to(user).order_by("pk"))
    slug = request.GET.get("desk", "")
    if slug and slug not in {desk.slug for desk in desks}:
        raise Http404  # a desk the user does not see is out of scope
    form = ReviewFilterForm(
        request.GET,
        desks=desks,
        today=timezone.localdate(),
        whole_project=sees_all_desks(user),
    )
    result = None
    charts: list[dict[str, Any]] = []
    sections: list[dict[str, Any]] = []
    downloads: dict[str, str | None] = {}
    if form.is_valid():
        data = form.cleaned_data
        selected = [desk for desk in desks if desk.slug == data["desk"]] if data["desk"] else None
        result = compute_review(user=user, start=data["start"], end=data["end"], desks=selected)
        charts = chart_specs(result)
        charted = {spec["table"] for spec in charts}
        for key, heading, table_keys in _sections():
            tables = [
                {"table": result.tables[k], "chart": k in charted}
                for k in table_keys
                if k in result.tables
            ]
            sections.append({"key": key, "heading": heading, "tables": tables})
        query = urlencode(
            {
                "period": data["period"],
                "start": f"{data['start']:%Y-%m-%d}",
                "end": f"{data['end']:%Y-%m-%d}",
                "desk": data["desk"] or "",
            }
        )
        downloads = {
            "workbook": f"{reverse('reports:workbook')}?{query}",
            "internal": (
                f"{reverse('reports:workbook')}?{query}&variant={Variant.INTERNAL}"
                if may_use_variant(user, Variant.INTERNAL)
                else None
            ),
            "records": (f"{reverse('reports:records')}?{query}" if reads_review(user) else None),
        }
    return render(
        request,
        "reports/review.html",
        {
            "form": form,
            "review": result,
            "sections": sections,
            "charts": charts,
            "downloads": downloads,
        },
    )
