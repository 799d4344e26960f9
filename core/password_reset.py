"""Editors reset a forgotten password by email, on admin-styled pages.

Django's own auth views and the admin's registration templates. Their names are the ones those
templates and the admin login page look for: a link to `admin_password_reset` shows "Forgotten
your password?" under the login form."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path, reverse, reverse_lazy


class _AdminStyled:
    """The admin's header, title and links, as on every other admin page."""

    def get_context_data(self, **kwargs):
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}


class PasswordResetView(_AdminStyled, auth_views.PasswordResetView):
    success_url = reverse_lazy("password_reset_done")
    extra_email_context = {"site_name": settings.HUB_SITE_NAME}


class PasswordResetDoneView(_AdminStyled, auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(_AdminStyled, auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(_AdminStyled, auth_views.PasswordResetCompleteView):
    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "login_url": reverse("admin:login")}


# Under the admin path (see hub/urls.py); before admin.site.urls, which would catch them.
urlpatterns = [
    path("password_reset/", PasswordResetView.as_view(), name="admin_password_reset"),
    path("password_reset/done/", PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
