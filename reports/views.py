"""The quarterly review page (Ufficio di Piano, administrators; operators for their desks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activitycr.http import AnyUser, AuthenticatedHttpRequest
from casework.permissions import reads_review, sees_all_desks, sees_special_categories
from reports.coverage import data_span, opening_period
from reports.forms import ReviewFilterForm, SendForm
from reports.models import SentReview
from reports.periods import PROJECT_START, quarter_key, quarter_of
from reports.review import Review, compute_review
from reports.sending import (
    SendRefused,
    drift,
    files_of,
    frozen_review,
    may_read_sent,
    may_send,
    send_review,
    versions,
)
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


def chart_is_empty(spec: Mapping[str, Any]) -> bool:
    """No dataset holds a number other than zero (hidden cells are text: not plotted)."""
    return not any(
        isinstance(v, int | float) and v for dataset in spec["datasets"] for v in dataset["data"]
    )


def _desks_in_scope(
    request: AuthenticatedHttpRequest, slug: str
) -> tuple[list[Desk], list[Desk] | None]:
    """The desks the user sees, and the selection (None: all of them); a desk the user does
    not see is out of scope (404)."""
    desks = list(Desk.objects.visible_to(request.user).order_by("pk"))
    if slug and slug not in {desk.slug for desk in desks}:
        raise Http404
    return desks, ([desk for desk in desks if desk.slug == slug] if slug else None)


def review_form(
    request: AuthenticatedHttpRequest, params: Mapping[str, Any]
) -> tuple[ReviewFilterForm, list[Desk] | None]:
    """The period form for these parameters (the query string, or a form post), and the
    selected desks. Without a period: the last completed quarter, or the last with data."""
    user = request.user
    desks, selected = _desks_in_scope(request, params.get("desk", ""))
    today = timezone.localdate()
    opening = None
    if not params.get("period"):
        opening = opening_period(today, data_span(user=user, desks=selected, today=today))
    form = ReviewFilterForm(
        params,
        desks=desks,
        today=today,
        whole_project=sees_all_desks(user),
        opening=opening,
    )
    return form, selected


def selection_query(data: Mapping[str, Any]) -> str:
    return urlencode(
        {
            "period": data["period"],
            "start": f"{data['start']:%Y-%m-%d}",
            "end": f"{data['end']:%Y-%m-%d}",
            "desk": data["desk"] or "",
        }
    )


def _where_the_data_is(
    user: AnyUser, selected: list[Desk] | None, today: dt.date
) -> dict[str, Any]:
    """For an empty period: the first and last day with data, and the last quarter with
    data as a link."""
    span = data_span(user=user, desks=selected, today=today)
    if span.last is None:
        return {"span": span}
    start, end = quarter_of(max(span.last, PROJECT_START))
    return {"span": span, "quarter": quarter_key(start), "quarter_start": start, "quarter_end": end}


def _sent_context(
    request: AuthenticatedHttpRequest,
    data: Mapping[str, Any],
    selected: list[Desk] | None,
    live: Review,
    query: str,
) -> dict[str, Any]:
    """What the page adds for a selection that was sent: the version shown (the latest by
    default, ``?version=N`` an earlier one, ``?view=live`` the live figures), the drift
    against the live figures, every version with its files."""
    user = request.user
    desk = selected[0] if selected else None
    sendings = versions(start=data["start"], end=data["end"], desk=desk)
    context: dict[str, Any] = {"versions": sendings, "shown_version": None, "drift": None}
    if not sendings:
        return context
    asked = request.GET.get("version", "")
    chosen = next((s for s in sendings if str(s.version) == asked), sendings[0])
    context["compared"] = chosen
    context["drift"] = drift(chosen, live, user=user)
    if request.GET.get("view") != "live":
        context["shown_version"] = chosen
    files = files_of(sendings)
    special = sees_special_categories(user)
    base = reverse("reports:sent_file")
    context["version_rows"] = [
        {
            "sending": s,
            "page": f"{reverse('reports:review')}?{query}&version={s.version}",
            "files": [
                {
                    "file": f,
                    "url": f"{base}?{query}&version={s.version}&variant={f.variant}",
                }
                for f in (files[s.pk].get(v) for v in Variant.values)
                if f is not None and (special or not s.includes_special)
            ],
        }
        for s in sendings
    ]
    return context


def render_review(
    request: AuthenticatedHttpRequest,
    form: ReviewFilterForm,
    selected: list[Desk] | None,
    *,
    send_form: SendForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    result = None
    charts: list[dict[str, Any]] = []
    sections: list[dict[str, Any]] = []
    downloads: dict[str, str | None] = {}
    extra: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        live = compute_review(user=user, start=data["start"], end=data["end"], desks=selected)
        query = selection_query(data)
        result = live
        if may_read_sent(user):
            extra = _sent_context(request, data, selected, live, query)
            if extra.get("shown_version") is not None:
                result = frozen_review(extra["shown_version"], user=user)
            if send_form is None:
                send_form = SendForm(
                    today=timezone.localdate(),
                    period_start=data["start"],
                    already_sent=bool(extra["versions"]),
                )
            extra["send_form"] = send_form
        specs = chart_specs(result)
        # A chart with nothing to plot says "nessun dato" instead of drawing blank axes.
        charts = [spec for spec in specs if not chart_is_empty(spec)]
        charted = {spec["table"] for spec in charts}
        empty = {spec["table"] for spec in specs} - charted
        for key, heading, table_keys in _sections():
            tables = [
                {"table": result.tables[k], "chart": k in charted, "chart_empty": k in empty}
                for k in table_keys
                if k in result.tables
            ]
            sections.append({"key": key, "heading": heading, "tables": tables})
        downloads = {
            "workbook": f"{reverse('reports:workbook')}?{query}",
            "internal": (
                f"{reverse('reports:workbook')}?{query}&variant={Variant.INTERNAL}"
                if may_use_variant(user, Variant.INTERNAL)
                else None
            ),
            "records": (f"{reverse('reports:records')}?{query}" if reads_review(user) else None),
        }
        extra["live_url"] = f"{reverse('reports:review')}?{query}&view=live"
        extra["sent_url"] = f"{reverse('reports:review')}?{query}"
        extra["selection"] = {
            "period": data["period"],
            "start": f"{data['start']:%Y-%m-%d}",
            "end": f"{data['end']:%Y-%m-%d}",
            "desk": data["desk"] or "",
        }
        if result.is_empty:
            extra["where"] = _where_the_data_is(user, selected, timezone.localdate())
    return render(
        request,
        "reports/review.html",
        {
            "form": form,
            "review": result,
            "sections": sections,
            "charts": charts,
            "downloads": downloads,
            **extra,
        },
        status=status,
    )


@login_required
def review(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_see_review(request.user):
        raise PermissionDenied
    form, selected = review_form(request, request.GET)
    return render_review(request, form, selected)


@login_required
@require_POST
def send(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Mark the review of the posted selection as sent: a new frozen version."""
    user = request.user
    if not may_send(user):
        raise PermissionDenied
    form, selected = review_form(request, request.POST)
    if not form.is_valid():
        return redirect(reverse("reports:review"))
    data = form.cleaned_data
    desk = selected[0] if selected else None
    already = SentReview.objects.filter(start=data["start"], end=data["end"], desk=desk).exists()
    send_form = SendForm(
        request.POST,
        today=timezone.localdate(),
        period_start=data["start"],
        already_sent=already,
    )
    if send_form.is_valid():
        try:
            sending = send_review(
                user=user,
                start=data["start"],
                end=data["end"],
                desk=desk,
                recipients=send_form.cleaned_data["recipients"],
                sent_on=send_form.cleaned_data["sent_on"],
                reason=send_form.cleaned_data["reason"],
            )
        except SendRefused:
            send_form.add_error(
                None,
                _(
                    "Nel frattempo è stata registrata un'altra versione: ricaricare la "
                    "pagina e indicare il motivo della nuova versione."
                ),
            )
        else:
            messages.success(
                request,
                _("Revisione segnata come inviata (versione %(n)s): cifre e file congelati.")
                % {"n": sending.version},
            )
            return redirect(f"{reverse('reports:review')}?{selection_query(data)}#sent")
    return render_review(request, form, selected, send_form=send_form)
