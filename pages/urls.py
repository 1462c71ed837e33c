from django.urls import path

from . import views
from .models import Page

app_name = "pages"

urlpatterns = [
    path("impressum/", views.page, {"slug": Page.Slug.IMPRESSUM}, name="impressum"),
    path("barrierefreiheit/", views.page, {"slug": Page.Slug.ACCESSIBILITY}, name="accessibility"),
    path("leichte-sprache/", views.page, {"slug": Page.Slug.EASY_LANGUAGE}, name="easy_language"),
    path("gebaerdensprache/", views.page, {"slug": Page.Slug.SIGN_LANGUAGE}, name="sign_language"),
    path("kontakt/", views.contact, name="contact"),
    path("ausschreibung/<int:pk>/", views.funding_round, name="round"),
    path("ausschreibung/<int:pk>/dokument/<int:document_pk>/", views.round_document, name="round_document"),
]
