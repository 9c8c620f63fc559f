"""What must hold for deliveries to survive a dead worker without being sent twice."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility)
def check_delivery_lease(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    lease = settings.LIUYAN_DELIVERY_LEASE_SECONDS
    timeout = getattr(settings, "EMAIL_TIMEOUT", None)
    if timeout is None or lease <= timeout:
        return [
            checks.Warning(
                f"A delivery's lease ({lease} s) is not longer than the SMTP timeout "
                f"({timeout} s): `liuyan tick` may send again an e-mail a live worker is still "
                "sending.",
                hint="Set LIUYAN_DELIVERY_LEASE_SECONDS well above LIUYAN_EMAIL_TIMEOUT.",
                id="notifications.W001",
            )
        ]
    return []
