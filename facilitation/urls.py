from django.urls import path

from . import views

app_name = "facilitation"

urlpatterns = [
    path("", views.index, name="index"),
    path("uebersicht/", views.overview, name="overview"),
    path("uebersicht/export.csv", views.overview_csv, name="overview_csv"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/einsaetze/neu/", views.book_session, name="book_session"),
    path("<int:pk>/einsaetze/<int:session_pk>/stornieren/", views.cancel_session, name="cancel_session"),
    path(
        "<int:pk>/meilensteine/<int:milestone_pk>/<str:action>/",
        views.milestone,
        name="milestone",
    ),
    path("<int:pk>/berichte/<int:report_pk>/", views.report, name="report"),
    path("<int:pk>/berichte/<int:report_pk>/entscheidung/", views.decide_report, name="decide_report"),
    path("<int:pk>/berichte/<int:report_pk>/anlage/", views.report_download, name="report_download"),
    path("netzwerktreffen/<int:pk>/", views.meeting, name="meeting"),
    path(
        "netzwerktreffen/<int:pk>/anmeldung/<int:organisation_pk>/",
        views.register,
        name="register",
    ),
    path("netzwerktreffen/<int:pk>/poster/", views.gallery, name="gallery"),
    path(
        "netzwerktreffen/<int:pk>/poster/<int:registration_pk>/",
        views.poster_download,
        name="poster_download",
    ),
]
