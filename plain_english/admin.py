from django.contrib import admin

from .models import JargonTerm


@admin.register(JargonTerm)
class JargonTermAdmin(admin.ModelAdmin):
    list_display = ["term", "alternative", "active"]
    list_editable = ["alternative", "active"]
    list_filter = ["active"]
    search_fields = ["term", "alternative", "note"]
