"""The case page (the person and their intakes at the user's desks, as a timeline), the
person's edit page, and what is done within a case: meetings, referrals and their outcome,
reopening. Closing a case, with the situation at exit, is ``followup/views.py``. Edits of
saved records are versioned (``casework/editing.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activitycr.http import AuthenticatedHttpRequest
from casework import queries, services
from casework.choices import ReferralOutcome
from casework.editing import (
    apply_validation_error,
    form_page,
    model_data,
    model_data_without_m2m,
    resumed,
    versioned_edit,
)
from casework.forms import (
    IntakeCorrectionForm,
    MeetingEditForm,
    MeetingForm,
    PersonEditForm,
    ReferralEditForm,
    ReferralForm,
    ReferralOutcomeForm,
    ReopenIntakeForm,
)
from casework.models import Intake, Meeting, Person, Referral
from casework.views.common import case_url, needs
from sportelli.models import Desk

# --- Case page ---------------------------------------------------------------------------


@needs("casework.view_person")
def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The case page: the person and their intakes at the user's desks, as a timeline."""
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related(
            "residence_comune", "residence_country", "birthplace_comune", "birthplace_country"
        ),
        pk=pk,
    )
    intakes = queries.case_intakes(user=request.user, person=person)
    user = request.user
    open_desks = {i.desk_id for i in intakes if i.is_open}
    can_add_intake = user.has_perm("casework.add_intake")
    return render(
        request,
        "casework/person_detail.html",
        {
            "person": person,
            "intakes": intakes,
            "can_change": user.has_perm("casework.change_intake"),
            "can_add_meeting": user.has_perm("casework.add_meeting"),
            "can_add_referral": user.has_perm("casework.add_referral"),
            "can_change_person": user.has_perm("casework.change_person"),
            "new_intake_desks": [
                d
                for d in Desk.objects.filter(operators=user).order_by("opened_on", "name")
                if d.pk not in open_desks
            ]
            if can_add_intake
            else [],
        },
    )


@needs("casework.view_intake")
def intake_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    intake = get_object_or_404(Intake.objects.visible_to(request.user), pk=pk)
    return redirect(case_url(intake))


@needs("casework.change_person", resumable=True)
def person_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    url = reverse("casework:person", args=[person.pk])

    def save(form: PersonEditForm, version: int) -> None:
        fields = [f for f in form.fields if f != "version"]
        services.update_person(person=form.instance, version=version, fields=fields)

    return versioned_edit(
        request,
        form_class=PersonEditForm,
        instance=person,
        save=save,
        success_url=url,
        success_message=_("Dati della persona aggiornati."),
        context={"title": _("Modifica dati di %(name)s") % {"name": person}, "back_url": url},
        form_kwargs={"user": request.user},
    )


# --- Meetings, referrals, closing --------------------------------------------------------


def _intake_for_write(request: AuthenticatedHttpRequest, pk: int) -> Intake:
    return get_object_or_404(
        Intake.objects.visible_to(request.user).select_related("person", "desk"), pk=pk
    )


def _closed_case_page(request: AuthenticatedHttpRequest, intake: Intake) -> HttpResponse | None:
    """A new meeting or referral for a closed case (a stale tab, an old link): back to the
    case page with the reason, before anything is typed. A POST still gets the form back
    with the error and what was typed (``services._open_case``)."""
    if request.method == "GET" and not intake.is_open:
        messages.warning(
            request, _("La presa in carico è chiusa: riaprirla per aggiungere colloqui o invii.")
        )
        return redirect(case_url(intake))
    return None


@needs("casework.add_meeting", resumable=True)
def meeting_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    intake = _intake_for_write(request, pk)
    if closed := _closed_case_page(request, intake):
        return closed
    form = MeetingForm(request.POST or resumed(request), instance=Meeting(intake=intake))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_meeting(
                intake=intake,
                operator=request.user,
                data=model_data_without_m2m(form),
                activities=form.cleaned_data["activities"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Colloquio registrato."))
            return redirect(case_url(intake))
    return form_page(
        request,
        {
            "form": form,
            "intake": intake,
            "title": _("Nuovo colloquio con %(name)s") % {"name": intake.person},
            "back_url": case_url(intake),
        },
    )


@needs("casework.change_meeting", resumable=True)
def meeting_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related("intake__person"), pk=pk
    )
    intake = meeting.intake

    def save(form: MeetingEditForm, version: int) -> None:
        fields = [f for f in form.fields if f not in ("version", "activities")]
        services.update_meeting(
            meeting=form.instance,
            version=version,
            fields=fields,
            activities=form.cleaned_data["activities"],
        )

    return versioned_edit(
        request,
        form_class=MeetingEditForm,
        instance=meeting,
        save=save,
        success_url=case_url(intake),
        success_message=_("Colloquio aggiornato."),
        context={
            "intake": intake,
            "title": _("Modifica colloquio con %(name)s") % {"name": intake.person},
            "back_url": case_url(intake),
        },
    )


@needs("casework.add_referral", resumable=True)
def referral_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    intake = _intake_for_write(request, pk)
    if closed := _closed_case_page(request, intake):
        return closed
    form = ReferralForm(request.POST or resumed(request), instance=Referral(intake=intake))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_referral(intake=intake, data=model_data(form))
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Invio registrato."))
            return redirect(case_url(intake))
    return form_page(
        request,
        {
            "form": form,
            "intake": intake,
            "title": _("Nuovo invio o candidatura per %(name)s") % {"name": intake.person},
            "back_url": case_url(intake),
        },
    )


def _referral_page(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    form_class: type[ReferralEditForm] | type[ReferralOutcomeForm],
    title: str,
    success_message: str,
    with_referral: bool = False,
) -> HttpResponse:
    """A referral's versioned edit page: the whole referral, or only its outcome."""
    referral = get_object_or_404(
        Referral.objects.visible_to(request.user).select_related("intake__person", "partner"),
        pk=pk,
    )
    intake = referral.intake

    def save(form: ReferralEditForm | ReferralOutcomeForm, version: int) -> None:
        fields = [f for f in form.fields if f != "version"]
        services.update_referral(referral=form.instance, version=version, fields=fields)

    context = {
        "intake": intake,
        "title": title % {"name": intake.person},
        "back_url": case_url(intake),
    }
    if with_referral:
        context["referral"] = referral
    return versioned_edit(
        request,
        form_class=form_class,
        instance=referral,
        save=save,
        success_url=case_url(intake),
        success_message=success_message,
        context=context,
    )


@needs("casework.change_referral", resumable=True)
def referral_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _referral_page(
        request,
        pk,
        form_class=ReferralEditForm,
        title=_("Modifica invio per %(name)s"),
        success_message=_("Invio aggiornato."),
    )


@needs("casework.change_referral", resumable=True)
def referral_outcome(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record the outcome, or edit one already recorded ("Modifica l'esito")."""
    recorded = (
        Referral.objects.visible_to(request.user)
        .filter(pk=pk)
        .exclude(outcome=ReferralOutcome.PENDING)
        .exists()
    )
    return _referral_page(
        request,
        pk,
        form_class=ReferralOutcomeForm,
        title=_("Modifica l'esito dell'invio per %(name)s")
        if recorded
        else _("Esito dell'invio per %(name)s"),
        success_message=_("Esito aggiornato.") if recorded else _("Esito registrato."),
        with_referral=True,
    )


@needs("casework.change_intake")
@require_POST
def intake_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    intake = _intake_for_write(request, pk)
    form = ReopenIntakeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Richiesta non valida: ricaricare la pagina e riprovare."))
        return redirect(case_url(intake))
    try:
        services.reopen_intake(intake=intake, version=form.cleaned_data["version"])
    except services.ConflictError:
        messages.error(
            request,
            _(
                "Nel frattempo un'altra persona ha modificato questa presa in carico: "
                "controllare i dati aggiornati e riprovare."
            ),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Presa in carico riaperta."))
    return redirect(case_url(intake))


# --- Corrections --------------------------------------------------------------------------


@needs("casework.change_intake", resumable=True)
def intake_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct what was typed at the intake: versioned, audited, the snapshot re-taken."""
    intake = _intake_for_write(request, pk)

    def save(form: IntakeCorrectionForm, version: int) -> None:
        fields = [f for f in form.fields if f not in ("version", "residence_comune")]
        services.correct_intake(
            intake=form.instance,
            version=version,
            fields=fields,
            residence_comune=form.cleaned_data["residence_comune"],
        )

    return versioned_edit(
        request,
        form_class=IntakeCorrectionForm,
        instance=intake,
        save=save,
        success_url=case_url(intake),
        success_message=_("Presa in carico corretta."),
        context={
            "intake": intake,
            "title": _("Modifica la presa in carico di %(name)s") % {"name": intake.person},
            "back_url": case_url(intake),
        },
    )
