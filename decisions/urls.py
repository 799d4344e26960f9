from django.urls import path

from . import views

urlpatterns = [
    path("decide/", views.index, name="decide_index"),
    path("decide/<slug:slug>/", views.tree_step, name="decide_tree"),
    path("decide/<slug:slug>/overview/", views.overview, name="decide_overview"),
]
