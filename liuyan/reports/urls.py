from django.urls import include, path

from . import annual_views, digest_views, views
from .figures import urls as figures_urls

app_name = "reports"
urlpatterns = [
    path("hot/", views.staff_hot_issues, name="hot"),
    path("hot/public/", views.public_hot_issues, name="hot_public"),
    # The annual report 数说YYYY年网上群众工作 (annual_views).
    path("annual/", annual_views.annual_latest, name="annual_latest"),
    path("annual/<int:year>/", annual_views.annual_report, name="annual"),
    path("annual/<int:year>/pdf/", annual_views.annual_pdf, name="annual_pdf"),
    path("annual/<int:year>/cases/", annual_views.annual_cases, name="annual_cases"),
    # The weekly digest 民声摘报 (digest_views).
    path("digests/", digest_views.digest_list, name="digests"),
    path("digests/new/", digest_views.digest_create, name="digest_create"),
    path("digests/<int:digest_id>/", digest_views.digest_detail, name="digest"),
    path("digests/<int:digest_id>/pdf/", digest_views.digest_pdf, name="digest_pdf"),
    path(
        "digests/<int:digest_id>/propose/",
        digest_views.digest_add_proposal,
        name="digest_add_proposal",
    ),
    path("digests/<int:digest_id>/items/", digest_views.digest_add_item, name="digest_add_item"),
    path("digests/<int:digest_id>/foreword/", digest_views.digest_foreword, name="digest_foreword"),
    path("digests/<int:digest_id>/publish/", digest_views.digest_publish, name="digest_publish"),
    path(
        "digests/<int:digest_id>/items/<int:item_id>/",
        digest_views.digest_edit_item,
        name="digest_edit_item",
    ),
    path(
        "digests/<int:digest_id>/items/<int:item_id>/move/",
        digest_views.digest_move_item,
        name="digest_move_item",
    ),
    path(
        "digests/<int:digest_id>/items/<int:item_id>/remove/",
        digest_views.digest_remove_item,
        name="digest_remove_item",
    ),
    path(
        "digests/<int:digest_id>/items/<int:item_id>/instruct/",
        digest_views.digest_instruct,
        name="digest_instruct",
    ),
    path("figures/", include(figures_urls)),
]
