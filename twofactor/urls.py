from django.urls import path

from twofactor import views

app_name = "twofactor"

urlpatterns = [
    path("attiva/", views.setup, name="setup"),
    path("verifica/", views.verify, name="verify"),
]
