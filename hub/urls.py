from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from . import views
from .sitemaps import SITEMAPS

admin.site.site_header = f"{settings.HUB_SITE_NAME}: editors"
admin.site.site_title = settings.HUB_SITE_NAME
admin.site.index_title = "Content"

handler404 = "hub.views.page_not_found"
handler500 = "hub.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path(settings.ADMIN_PATH, include("core.password_reset")),  # forgotten passwords
    path(settings.ADMIN_PATH, admin.site.urls),
    path("", include("feedback.urls")),
    path("", include("decisions.urls")),
    path("", include("paperwork.urls")),
    path("", include("resources.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
