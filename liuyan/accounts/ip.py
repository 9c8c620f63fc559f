"""The client's IP address, for rate limits and the audit trail."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _meta_key(header: str) -> str:
    """'X-Forwarded-For' → 'HTTP_X_FORWARDED_FOR' (a META key passes through unchanged)."""
    name = header.strip().upper().replace("-", "_")
    return name if name.startswith("HTTP_") else f"HTTP_{name}"


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address the request came from.

    The proxy header is read only when LIUYAN_TRUSTED_PROXY_HEADER names it: otherwise any
    client could claim any address and walk around the rate limits. Of a comma-separated list
    (X-Forwarded-For) the last entry is taken, the one our own proxy appended.
    """
    header = settings.LIUYAN_TRUSTED_PROXY_HEADER
    if header:
        forwarded = request.META.get(_meta_key(header), "")
        if forwarded:
            address = _valid(forwarded.split(",")[-1])
            if address:
                return address
    return _valid(request.META.get("REMOTE_ADDR", ""))
