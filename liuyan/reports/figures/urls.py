from django.urls import path

from . import views

app_name = "figures"
urlpatterns = [
    path("", views.public_figures, name="public"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("rankings/", views.rankings, name="rankings"),
    path("messages/", views.messages, name="messages"),
]
