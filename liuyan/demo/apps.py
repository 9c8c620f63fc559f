from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo world and the load-test generator: `liuyan demo-data` and `liuyan demo-otp`.

    Not part of the message domain: it writes the same tables board.services would, through the
    same lifecycle rules, only faster. It is an app so that its commands are found.
    """

    name = "liuyan.demo"
    label = "demo"
    verbose_name = "liuyan demo data"
