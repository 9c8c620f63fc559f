from django.contrib import admin
from django.urls import include, path

from liuyan.web.views import favicon

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("liuyan.accounts.urls")),
    path("desk/", include("liuyan.desk.urls")),
    path("notifications/", include("liuyan.notifications.urls")),
    path("reports/", include("liuyan.reports.urls")),
    # /campaigns/ and /suggestions/ (人民建议征集)
    path("", include("liuyan.campaigns.urls")),
    # /api/v1/ (REST, OpenAPI) and /open311/v2/ (GeoReport v2)
    path("", include("liuyan.api.urls")),
    path("", include("liuyan.portal.urls")),
]
# Uploads are never served as static files: a private message's images go through a view that
# checks who may see them.

# Under /api/ Django's own 400 and 500 answers are problem details too (liuyan.api.problems).
handler400 = "liuyan.api.problems.bad_request"
handler500 = "liuyan.api.problems.server_error"
