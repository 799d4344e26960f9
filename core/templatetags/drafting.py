from django import template

from core.dashboard import panels_for
from core.drafting_admin import can_publish, waiting_for_approval

register = template.Library()


@register.simple_tag(takes_context=True)
def drafts_waiting(context):
    """Drafts waiting for approval, for a publisher's admin home page (none for authors)."""
    request = context.get("request")
    if request is None or not can_publish(request.user):
        return []
    return waiting_for_approval()


@register.simple_tag(takes_context=True)
def dashboard_panels(context):
    request = context.get("request")
    return panels_for(request) if request is not None else []
