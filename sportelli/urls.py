from django.urls import path

from sportelli import views

app_name = "sportelli"

urlpatterns = [
    path("comuni/", views.comune_autocomplete, name="comune_autocomplete"),
]
