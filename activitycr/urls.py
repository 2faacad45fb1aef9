from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from activitycr.health import healthz
from casework.views.desk import after_login, home
from twofactor.views import LoginView, LogoutView, PasswordChangeView, keepalive

urlpatterns = [
    # "home" (no namespace): the operators' landing page, their last desk.
    path("", home, name="home"),
    # LOGIN_REDIRECT_URL: each role's landing page (admin, review or "home").
    path("account/ingresso/", after_login, name="after_login"),
    path("", include("casework.urls")),
    path("", include("followup.urls")),
    path("account/2fa/", include("twofactor.urls")),
    # Login, logout and password change. No self-service password reset: the desks' accounts
    # are managed by the consortium's administrators, and the app sends no e-mail.
    path("account/login/", LoginView.as_view(), name="login"),
    # "Continua a lavorare" before the session expires for inactivity (static/js/session.js).
    path("account/sessione/", keepalive, name="keepalive"),
    path("account/logout/", LogoutView.as_view(), name="logout"),
    # A wrong current password counts as a failed login (django-axes); see twofactor/views.py.
    path("account/password_change/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("agenda/", include("agenda.urls")),
    path("report/", include("reports.urls")),
    path("territorio/", include("sportelli.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
]
