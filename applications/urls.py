from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("registrieren/", views.register, name="register"),
    path("organisation/beitreten/", views.join_organisation, name="join"),
    path("organisation/suche/", views.organisation_search, name="organisation_search"),
    path("organisation/mitglieder/", views.members, name="members"),
    path(
        "organisation/mitglieder/<int:pk>/<str:decision>/",
        views.decide_membership,
        name="decide_membership",
    ),
    path("runde/<int:round_pk>/organisation/<int:organisation_pk>/antrag/", views.start_application, name="start"),
    path("antrag/<int:pk>/", views.overview, name="overview"),
    path("antrag/<int:pk>/anlagen/", views.attachments, name="attachments"),
    path("antrag/<int:pk>/anlagen/<int:attachment_pk>/", views.download_attachment, name="download_attachment"),
    path(
        "antrag/<int:pk>/anlagen/<int:attachment_pk>/entfernen/",
        views.remove_attachment,
        name="remove_attachment",
    ),
    path("antrag/<int:pk>/einreichen/", views.submit, name="submit"),
    path("antrag/<int:pk>/zurueckziehen/", views.withdraw, name="withdraw"),
    path("antrag/<int:pk>/eingangsbestaetigung/", views.receipt, name="receipt"),
    path("antrag/<int:pk>/<slug:section>/", views.section, name="section"),
]
