from django.urls import path

from . import views

app_name = "correspondence"

urlpatterns = [
    path("antrag/<int:pk>/rueckfragen/", views.requests, name="requests"),
    path("antrag/<int:pk>/rueckfragen/antworten/", views.answer, name="answer"),
    path("antrag/<int:pk>/nachrichten/", views.thread, name="messages"),
    path("antrag/<int:pk>/nachrichten/<int:message_pk>/anlage/", views.download, name="download"),
]
