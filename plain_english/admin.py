from django.contrib import admin
from reversion_compare.admin import CompareVersionAdmin

from core.restoring import SafeRestoreAdmin

from .models import JargonTerm


@admin.register(JargonTerm)
class JargonTermAdmin(SafeRestoreAdmin, CompareVersionAdmin):
    list_display = ["term", "alternative", "active"]
    list_editable = ["alternative", "active"]
    list_filter = ["active"]
    search_fields = ["term", "alternative", "note"]
