from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("hot/", views.staff_hot_issues, name="hot"),
    path("hot/public/", views.public_hot_issues, name="hot_public"),
]
