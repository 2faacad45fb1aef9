"""The follow-through's pages (app ``followup``, mounted at the site root).

=============================  ======================================  =========================
name                           path                                    what
=============================  ======================================  =========================
followup:intake_close          /presa-in-carico/<id>/chiudi/           close with a reason and
                                                                       the situation at exit
followup:intake_closure_edit   /presa-in-carico/<id>/chiusura/         correct a closure and its
                                                                       situation at exit
followup:worklist              /sportello/<slug>/lavoro/               the work list (``?chi=miei``:
                                                                       the operator's own)
followup:task                  /follow-up/<id>/                        a follow-up task
followup:task_attempt          /follow-up/<id>/tentativo/              POST a contact attempt
followup:task_answer           /follow-up/<id>/risposta/               POST the answer
followup:task_close            /follow-up/<id>/chiudi/                 POST: closed unanswered
=============================  ======================================  =========================

Form field names: contact attempt ``made_at`` (datetime-local), ``channel`` (telefono, email,
sms, presenza), ``outcome``, ``note``; four-week answer ``results`` (checkboxes, as
``exit_results``), ``source``, ``answered_on``, ``note``; six-month answer ``employed`` and
``improved`` (radio ``si``/``no``; ``improved`` only for who was employed at the intake),
``source``, ``answered_on``, ``note``; closing unanswered ``note``.
"""

from django.urls import path

from followup import views

app_name = "followup"

urlpatterns = [
    path("presa-in-carico/<int:pk>/chiudi/", views.intake_close, name="intake_close"),
    path(
        "presa-in-carico/<int:pk>/chiusura/", views.intake_closure_edit, name="intake_closure_edit"
    ),
    path("sportello/<slug:slug>/lavoro/", views.worklist, name="worklist"),
    path("follow-up/<int:pk>/", views.task_detail, name="task"),
    path("follow-up/<int:pk>/tentativo/", views.task_attempt, name="task_attempt"),
    path("follow-up/<int:pk>/risposta/", views.task_answer, name="task_answer"),
    path("follow-up/<int:pk>/chiudi/", views.task_close, name="task_close"),
]
