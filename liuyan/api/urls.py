from csp.decorators import csp_update
from django.urls import include, path, re_path
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import open311, views
from .problems import not_found

app_name = "api"


@method_decorator(csp_update({"img-src": ["data:"]}), name="dispatch")
class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the drf-spectacular-sidecar package (no CDN), its start script served as
    a file: the site's Content-Security-Policy allows no inline script or style. Its style
    sheet draws its icons as data: SVG images, allowed on this page only."""

    template_name = "api/swagger_ui.html"
    url_name = "api:schema"


v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    path("messages/", views.MessageList.as_view(), name="messages"),
    path("messages/<str:serial>/", views.MessageDetail.as_view(), name="message"),
    path("messages/<str:serial>/replies/", views.MessageReplies.as_view(), name="replies"),
    path("messages/<str:serial>/timeline/", views.MessageTimeline.as_view(), name="timeline"),
    path("messages/<str:serial>/screen/", views.ScreenMessage.as_view(), name="screen"),
    path("messages/<str:serial>/dispatch/", views.DispatchMessage.as_view(), name="dispatch"),
    path("moderation/queue/", views.ModerationQueue.as_view(), name="moderation-queue"),
    path("boards/", views.BoardList.as_view(), name="boards"),
    path("campaigns/", views.CampaignList.as_view(), name="campaigns"),
    path("campaigns/<int:pk>/", views.CampaignDetail.as_view(), name="campaign"),
    path(
        "campaigns/<int:pk>/suggestions/",
        views.CampaignSuggestions.as_view(),
        name="campaign-suggestions",
    ),
    path("boards/<int:pk>/", views.BoardDetail.as_view(), name="board"),
    path("units/", views.UnitList.as_view(), name="units"),
    path("regions/", views.RegionList.as_view(), name="regions"),
    path("domains/", views.DomainList.as_view(), name="domains"),
    path("figures/", views.FiguresView.as_view(), name="figures"),
    path("assignments/", views.AssignmentList.as_view(), name="assignments"),
    path("assignments/<int:pk>/accept/", views.AcceptAssignment.as_view(), name="accept"),
    path("assignments/<int:pk>/return/", views.ReturnAssignment.as_view(), name="return"),
    path("assignments/<int:pk>/transfer/", views.TransferAssignment.as_view(), name="transfer"),
    path("assignments/<int:pk>/reply/", views.ReplyToAssignment.as_view(), name="reply"),
    path("assignments/<int:pk>/extension/", views.RequestExtension.as_view(), name="extension"),
]

# Included at the site's root (liuyan/urls.py), before the portal's catch-all pages.
urlpatterns = [
    path("api/v1/", include(v1)),
    re_path(r"^api/", not_found, name="not-found"),
    path("open311/v2/", include((open311.urlpatterns, "open311"))),
]
