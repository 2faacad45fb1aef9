"""The agenda's pages (app ``agenda``, mounted at ``/agenda/``).

=========================  =============================================  ====================
name                       path                                           what
=========================  =============================================  ====================
agenda:desk                /agenda/sportello/<slug>/                      a desk's day; ``?vista=
                                                                          settimana``, ``?data=
                                                                          YYYY-MM-DD``,
                                                                          ``?operatore=<id>``
agenda:mine                /agenda/mia/                                   my own appointments
agenda:book                /agenda/presa-in-carico/<id>/appuntamento/     book in a case
agenda:reschedule          /agenda/appuntamento/<id>/sposta/              move (versioned by
                                                                          a new row)
agenda:cancel              /agenda/appuntamento/<id>/annulla/             POST
agenda:mark                /agenda/appuntamento/<id>/esito/               POST ``esito``
                                                                          (mancato,
                                                                          giustificato)
agenda:consent_add         /agenda/persona/<id>/consenso/                 consent to reminders
agenda:consent_withdraw    /agenda/consenso/<id>/revoca/                  POST
=========================  =============================================  ====================

Form field names: appointment ``starts_at`` (datetime-local), ``mode`` (presenza, telefono,
video), ``duration_minutes``, ``place``; consent ``channel`` (email, sms), ``source``
(presenza, telefono, email), ``given_on``. Cancel and mark take an optional ``next`` (a
local path to go back to).
"""

from django.urls import path

from agenda import views

app_name = "agenda"

urlpatterns = [
    path("sportello/<slug:slug>/", views.desk_agenda, name="desk"),
    path("mia/", views.my_agenda, name="mine"),
    path("presa-in-carico/<int:pk>/appuntamento/", views.book, name="book"),
    path("appuntamento/<int:pk>/sposta/", views.reschedule, name="reschedule"),
    path("appuntamento/<int:pk>/annulla/", views.cancel, name="cancel"),
    path("appuntamento/<int:pk>/esito/", views.mark, name="mark"),
    path("persona/<int:pk>/consenso/", views.consent_add, name="consent_add"),
    path("consenso/<int:pk>/revoca/", views.consent_withdraw, name="consent_withdraw"),
]
