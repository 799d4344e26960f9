"""The reader's own address, for limits that apply per client (feedback, admin lockouts).

Behind a TLS proxy or load balancer (DJANGO_BEHIND_TLS_PROXY), every request arrives from the
proxy, which adds the address it saw to the end of X-Forwarded-For. Only that last entry is
trusted: anything before it is whatever the client chose to send.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """The address, or None when there is none to tell (as django-axes expects)."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass  # no header, or not an address: not from our proxy
    return request.META.get("REMOTE_ADDR") or None
