from django.contrib import admin

from .models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["created", "page", "useful", "comment"]
    list_filter = ["useful", "created"]
    search_fields = ["page", "comment"]
    readonly_fields = ["page", "useful", "comment", "created"]

    def has_add_permission(self, request):
        return False
