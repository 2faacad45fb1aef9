from django.contrib import admin
from django.urls import include, path

from activitycr.health import healthz
from casework import views as casework_views

urlpatterns = [
    # LOGIN_REDIRECT_URL is "home" (no namespace): the operators' landing page.
    path("", casework_views.home, name="home"),
    path("", include("casework.urls")),
    path("account/2fa/", include("twofactor.urls")),
    path("account/", include("django.contrib.auth.urls")),
    path("report/", include("reports.urls")),
    path("territorio/", include("sportelli.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
]
