from django.urls import path

from reports import exports, views

app_name = "reports"

urlpatterns = [
    path("", views.review, name="review"),
    path("invia/", views.send, name="send"),
    path("foglio.xlsx", exports.workbook, name="workbook"),
    path("dati-pseudonimizzati.xlsx", exports.records, name="records"),
    path("inviata.xlsx", exports.sent_file, name="sent_file"),
]
