from django.urls import path

from . import views

urlpatterns = [
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/vote/", views.vote, name="feedback_vote"),
    path("feedback/comment/", views.comment, name="feedback_comment"),
]
