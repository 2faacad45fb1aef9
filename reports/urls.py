from django.urls import path

from reports import exports, views

app_name = "reports"

urlpatterns = [
    path("", views.review, name="review"),
    path("cartella.xlsx", exports.workbook, name="workbook"),
    path("record.xlsx", exports.records, name="records"),
]
