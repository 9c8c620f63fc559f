from django.urls import include, path

from . import views
from .figures import urls as figures_urls

app_name = "reports"
urlpatterns = [
    path("hot/", views.staff_hot_issues, name="hot"),
    path("hot/public/", views.public_hot_issues, name="hot_public"),
    path("figures/", include(figures_urls)),
]
