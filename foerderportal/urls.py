from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView, TemplateView

from applications import views as application_views
from foerderportal import views as kernel_views

admin.site.site_header = _("Förderportal – Verwaltung")
admin.site.site_title = _("Förderportal")
admin.site.index_title = _("Führungsakademie Baden-Württemberg")

urlpatterns = [
    path("", application_views.home, name="home"),
    # Development only: answers 404 unless DEBUG is on.
    path("entwicklung/mails/", kernel_views.dev_mails, name="dev_mails"),
    path("datenschutz/", TemplateView.as_view(template_name="pages/privacy.html"), name="privacy"),
    # Registration moved to the applicant's side (it joins an organisation); old links keep working.
    path(
        "konto/registrieren/",
        RedirectView.as_view(pattern_name="applications:register", permanent=True, query_string=True),
    ),
    path("", include("pages.urls")),
    path("konto/", include("accounts.urls")),
    path("portal/bescheide/", include("letters.urls")),
    path("portal/", include("correspondence.urls")),
    path("portal/", include("applications.urls")),
    path("prozessbegleitung/", include("facilitation.urls")),
    path("admin/", admin.site.urls),
]
