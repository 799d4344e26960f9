"""Emailing editors: who they are, and one plain-text message through Django's email settings."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage

from core.permissions import EDITORS_GROUP


def editor_addresses() -> list[str]:
    """HUB_EDITOR_EMAILS, then every active member of the Editors group with an address."""
    members = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=EDITORS_GROUP)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )
    addresses: dict[str, str] = {}
    for address in [*settings.EDITOR_EMAILS, *members]:
        addresses.setdefault(address.strip().lower(), address.strip())
    return list(addresses.values())


def send_to_editors(*, subject: str, body: str, recipients: list[str]) -> int:
    """One message to every recipient; returns how many it went to."""
    message = EmailMessage(
        subject=f"[{settings.HUB_SITE_NAME}] {subject}", body=body, to=recipients
    )
    message.send()
    return len(recipients)
