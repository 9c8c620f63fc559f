"""The interface language: Simplified Chinese unless the visitor chose otherwise.

Django's LocaleMiddleware follows the browser's Accept-Language, so a phone set to English would
get an English government site. Here only an explicit choice counts: the language cookie that
Django's `set_language` view writes (the switch in the footer).
"""

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
