from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .tokens import password_reset_token

app_name = "accounts"

urlpatterns = [
    path("anmelden/", views.LoginView.as_view(), name="login"),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path("zwei-faktor/", views.two_factor_overview, name="two_factor"),
    path("zwei-faktor/einrichten/", views.two_factor_setup, name="two_factor_setup"),
    path("zwei-faktor/code/", views.two_factor_verify, name="two_factor_verify"),
    path("zwei-faktor/neue-codes/", views.regenerate_recovery_codes, name="regenerate_recovery_codes"),
    path("bestaetigen-erneut/", views.reauthenticate, name="reauthenticate"),
    path("bestaetigen/<str:uidb64>/<str:token>/", views.verify, name="verify"),
    path(
        "passwort/aendern/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password_change_done")
        ),
        name="password_change",
    ),
    path(
        "passwort/geaendert/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path(
        "passwort/vergessen/",
        views.PasswordResetView.as_view(success_url=reverse_lazy("accounts:password_reset_done")),
        name="password_reset",
    ),
    path(
        "passwort/gesendet/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "passwort/neu/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            token_generator=password_reset_token,
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "passwort/neu/fertig/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
