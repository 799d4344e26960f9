from django.urls import path

from . import views
from .feeds import LatestContentFeed

urlpatterns = [
    path("", views.home, name="home"),
    path("urgent/", views.urgent, name="urgent"),
    path("guides/", views.guide_list, name="guide_list"),
    path("guides/<slug:slug>/", views.guide_detail, name="guide_detail"),
    path("scripts/", views.script_list, name="script_list"),
    path("scripts/<slug:slug>/", views.script_detail, name="script_detail"),
    path("scripts/<slug:slug>/print/", views.script_print, name="script_print"),
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/<slug:slug>/", views.resource_detail, name="resource_detail"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("stages/<slug:slug>/", views.stage_detail, name="stage_detail"),
    path("glossary/", views.glossary, name="glossary"),
    path("search/", views.search, name="search"),
    path("where-you-work/", views.choose_workplace, name="choose_workplace"),
    path("about/", views.about, name="about"),
    path("feed/", LatestContentFeed(), name="feed"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
