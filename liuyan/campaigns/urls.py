from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", views.campaign_list, name="list"),
    path("campaigns/new/", views.campaign_edit, name="create"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign_id>/edit/", views.campaign_edit, name="edit"),
    path("campaigns/<int:campaign_id>/image/", views.campaign_image, name="image"),
    path("campaigns/<int:campaign_id>/report/", views.campaign_report, name="report"),
    path("campaigns/<int:campaign_id>/report.pdf", views.campaign_report_pdf, name="report_pdf"),
    path("campaigns/<int:campaign_id>/export/", views.campaign_export, name="export"),
    path("campaigns/<int:campaign_id>/suggest/", views.suggest, name="suggest"),
    path("campaigns/<int:campaign_id>/screen/", views.screen, name="screen"),
    path("campaigns/<int:campaign_id>/themes/", views.themes, name="themes"),
    path("campaigns/decisions/", views.decisions, name="decisions"),
    path("suggestions/<int:suggestion_id>/", views.suggestion_detail, name="suggestion"),
    path(
        "suggestions/<int:suggestion_id>/images/<str:token>/",
        views.suggestion_image,
        name="suggestion_image",
    ),
    path("suggestions/<int:suggestion_id>/support/", views.support, name="support"),
    path("suggestions/<int:suggestion_id>/respond/", views.respond, name="respond"),
    path("suggestions/<int:suggestion_id>/decide/", views.decide, name="decide"),
]
