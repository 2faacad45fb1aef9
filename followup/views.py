"""The follow-through's pages: closing a case with the situation at exit (and correcting
it), a follow-up task (its contact attempts and its answer), and the work list.

Every object is fetched through the user's scoped query: another desk's case or task is a
404; a missing permission a 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activitycr import clock
from activitycr.http import AuthenticatedHttpRequest
from casework.editing import apply_validation_error, versioned_edit
from casework.models import Intake
from casework.views.common import case_url, desk_from_url, needs
from followup import queries, services
from followup.choices import DUE_SOON_DAYS, IDLE_DAYS, ExitResult, TaskKind
from followup.forms import (
    AttemptForm,
    CloseWithExitForm,
    ClosureWithExitCorrectionForm,
    ExitCheckAnswerForm,
    SixMonthsAnswerForm,
)
from followup.models import ExitSituation, FollowUpTask

# --- Closing, with the situation at exit ----------------------------------------------------


def _intake_for_write(request: AuthenticatedHttpRequest, pk: int) -> Intake:
    return get_object_or_404(
        Intake.objects.visible_to(request.user).select_related("person", "desk"), pk=pk
    )


@needs("casework.change_intake", resumable=True)
def intake_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Close a case: the date and reason, and where the person stands (ESF+)."""
    intake = _intake_for_write(request, pk)
    if not intake.is_open:
        messages.info(request, _("La presa in carico è già chiusa."))
        return redirect(case_url(intake))

    def save(form: CloseWithExitForm, version: int) -> None:
        services.close_with_exit(
            intake=form.instance,
            version=version,
            closed_on=form.cleaned_data["closed_on"],
            closure_reason=form.cleaned_data["closure_reason"],
            closure_note=form.cleaned_data["closure_note"],
            exit_answer=form.exit_answer(),
            by=request.user,
        )

    return versioned_edit(
        request,
        form_class=CloseWithExitForm,
        instance=intake,
        save=save,
        success_url=case_url(intake),
        success_message=_("Presa in carico chiusa."),
        context={
            "intake": intake,
            "title": _("Chiudi la presa in carico di %(name)s") % {"name": intake.person},
            "back_url": case_url(intake),
        },
    )


@needs("casework.change_intake", resumable=True)
def intake_closure_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct the date, reason or note of a closed intake, and its situation at exit."""
    intake = _intake_for_write(request, pk)
    if intake.is_open:
        messages.info(
            request, _("La presa in carico è aperta: non c'è una chiusura da correggere.")
        )
        return redirect(case_url(intake))

    def save(form: ClosureWithExitCorrectionForm, version: int) -> None:
        services.correct_closure_with_exit(
            intake=form.instance,
            version=version,
            closed_on=form.cleaned_data["closed_on"],
            closure_reason=form.cleaned_data["closure_reason"],
            closure_note=form.cleaned_data["closure_note"],
            exit_answer=form.exit_answer(),
            by=request.user,
        )

    return versioned_edit(
        request,
        form_class=ClosureWithExitCorrectionForm,
        instance=intake,
        save=save,
        success_url=case_url(intake),
        success_message=_("Chiusura corretta."),
        context={
            "intake": intake,
            "title": _("Correggi la chiusura della presa in carico di %(name)s")
            % {"name": intake.person},
            "back_url": case_url(intake),
        },
    )


# --- A follow-up task -----------------------------------------------------------------------


def _task(request: AuthenticatedHttpRequest, pk: int) -> FollowUpTask:
    return get_object_or_404(
        FollowUpTask.objects.visible_to(request.user).select_related(
            "intake__person", "intake__desk", "done_by"
        ),
        pk=pk,
    )


def _answer_form(task: FollowUpTask, data: Any = None) -> ExitCheckAnswerForm | SixMonthsAnswerForm:
    if task.kind == TaskKind.EXIT_CHECK:
        return ExitCheckAnswerForm(data, task=task)
    return SixMonthsAnswerForm(data, task=task)


def _task_page(
    request: AuthenticatedHttpRequest,
    task: FollowUpTask,
    *,
    attempt_form: AttemptForm | None = None,
    answer_form: ExitCheckAnswerForm | SixMonthsAnswerForm | None = None,
) -> HttpResponse:
    user = request.user
    can_change = user.has_perm("casework.change_intake")
    return render(
        request,
        "followup/task.html",
        {
            "task": task,
            "intake": task.intake,
            "attempts": list(task.attempts.select_related("operator")),
            "situation": ExitSituation.objects.filter(intake=task.intake).first(),
            "today": clock.today(),
            "can_change": can_change,
            "workable": can_change and task.is_open and not task.intake.is_open,
            "attempt_form": attempt_form or AttemptForm(),
            "answer_form": answer_form or _answer_form(task),
            "back_url": case_url(task.intake),
        },
        status=200,
    )


@needs("casework.view_intake")
def task_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A follow-up task: when it is due, the attempts to reach the person, the answer."""
    return _task_page(request, _task(request, pk))


def _task_url(task: FollowUpTask) -> str:
    return reverse("followup:task", args=[task.pk])


def _not_workable(request: AuthenticatedHttpRequest, task: FollowUpTask) -> HttpResponse | None:
    """A task already closed (a stale tab, a colleague was quicker) or paused because its
    case was reopened: back to the task page, which says so."""
    if not task.is_open:
        messages.info(request, _("Questa attività è già chiusa."))
    elif task.intake.is_open:
        messages.info(
            request,
            _("Il caso è stato riaperto: l'attività riprende quando il caso viene chiuso."),
        )
    else:
        return None
    return redirect(_task_url(task))


@needs("casework.change_intake")
@require_POST
def task_attempt(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    if stop := _not_workable(request, task):
        return stop
    form = AttemptForm(request.POST)
    if form.is_valid():
        try:
            services.record_attempt(task=task, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Tentativo di contatto registrato."))
            return redirect(_task_url(task))
    return _task_page(request, task, attempt_form=form)


@needs("casework.change_intake")
@require_POST
def task_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    if stop := _not_workable(request, task):
        return stop
    form = _answer_form(task, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if isinstance(form, ExitCheckAnswerForm):
                services.answer_exit_check(
                    task=task,
                    results=[ExitResult(r) for r in data["results"]],
                    source=data["source"],
                    as_of=data["answered_on"],
                    note=data["note"],
                    by=request.user,
                )
            else:
                services.answer_six_months(
                    task=task,
                    answered_on=data["answered_on"],
                    source=data["source"],
                    employed=data["employed"],
                    improved=data.get("improved"),
                    note=data["note"],
                    by=request.user,
                )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Risposta registrata."))
            return redirect(_task_url(task))
    return _task_page(request, task, answer_form=form)


@needs("casework.change_intake")
@require_POST
def task_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Close a task without an answer (not reachable, or would not say)."""
    task = _task(request, pk)
    if stop := _not_workable(request, task):
        return stop
    try:
        services.close_unanswered(
            task=task, note=request.POST.get("note", "")[:500], by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Attività chiusa senza risposta."))
    return redirect(_task_url(task))


# --- The work list ----------------------------------------------------------------------------

MINE = "miei"  # ?chi=miei: the operator's own work at the desk


@needs("casework.view_intake")
def worklist(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A desk's work list, or the operator's own at that desk: today's appointments, the
    follow-up tasks due within seven days and overdue, the open cases idle for 60 days."""
    desk, desks = desk_from_url(request, slug)
    mine = request.GET.get("chi") == MINE
    today = clock.today()
    scope = queries.Scope(desk=desk, today=today, operator=request.user if mine else None)
    return render(
        request,
        "followup/worklist.html",
        {
            "desk": desk,
            "desks": desks,
            "mine": mine,
            "today": today,
            "work": queries.work_list(scope),
            "shown": queries.SHOWN,
            "due_soon_days": DUE_SOON_DAYS,
            "idle_days": IDLE_DAYS,
        },
    )
