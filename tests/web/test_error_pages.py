"""Error pages speak Chinese, keep the site's layout, and the 403 page says why."""

import pytest
from django.contrib.staticfiles import finders
from django.test import RequestFactory
from django.views import defaults

SITE_MARK = 'class="site-header"'


def _no_inline_style(html: str) -> bool:
    return "<style" not in html and "style=" not in html


@pytest.mark.django_db
def test_404_is_chinese_in_the_site_layout(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert SITE_MARK in html
    assert "页面不存在" in html or "找不到" in html


def test_403_is_chinese_in_the_site_layout_and_gives_the_reason(client, world):
    client.force_login(world.citizen)
    response = client.get("/reports/hot/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    assert SITE_MARK in html
    assert "Forbidden" not in html
    assert "无权" in html
    # The reason given by the view, translated.
    assert "热点问题" in html


@pytest.mark.django_db
def test_400_is_chinese_in_the_site_layout(client):
    response = client.get("/", HTTP_HOST="evil.example")
    html = response.content.decode()
    assert response.status_code == 400
    assert SITE_MARK in html
    assert "Bad Request" not in html
    assert "请求" in html


def test_500_is_chinese_in_the_site_layout_without_context_processors_or_inline_style():
    # Django renders 500.html without the request, so no context processor runs; the page
    # must still carry the layout and load the site's stylesheet, not an inline <style>.
    request = RequestFactory().get("/")
    response = defaults.server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert SITE_MARK in html
    assert "css/site.css" in html
    assert _no_inline_style(html)
    assert "出错" in html


@pytest.mark.django_db
def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code in (200, 301, 302)
    if response.status_code != 200:
        target = response["Location"]
        assert target.endswith(".ico")
        assert finders.find(target.split("/static/", 1)[1])
    assert finders.find("favicon.ico")
