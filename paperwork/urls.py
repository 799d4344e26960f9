from django.urls import path

from . import views

urlpatterns = [
    path("forms/", views.form_list, name="form_list"),
    path("forms/<slug:slug>/", views.form_detail, name="form_detail"),
    path("forms/<slug:slug>/word/", views.form_word, name="form_word"),
]
