"""The write form's domain suggestion comes straight from the trained classifier."""

from __future__ import annotations

import pytest
from django.urls import reverse

from liuyan.directory.models import Domain
from liuyan.insight import train
from tests.portal.test_write import _fields, _token

pytestmark = pytest.mark.django_db

PROPERTY_BODY = "物业公司在小区乱收停车费和电梯费，业主多次反映都没有结果"
SCHOOL_BODY = "学校食堂饭菜质量差，分量少价格高，孩子吃不饱"


def _edit(client, world, domain, **fields):
    client.force_login(world.citizen)
    token = _token(client, world.board)
    data = {**_fields(world, domain, token, **fields), "step": "edit"}
    return client.post(reverse("portal:write"), data)


def test_write_form_suggests_the_predicted_first_level_domain(
    client, world, domain, settings, tmp_path
):
    records = [(f"小区物业乱收费{n}", PROPERTY_BODY, "城乡建设") for n in range(8)]
    records += [(f"学校食堂伙食差{n}", SCHOOL_BODY, "教育文体") for n in range(8)]
    settings.LIUYAN_MODELS_DIR = tmp_path / "models"
    train.train_and_save(records, settings.LIUYAN_MODELS_DIR)

    page = _edit(client, world, domain, title="小区物业乱收停车费", body=PROPERTY_BODY)

    assert page.context["suggestion"] == Domain.objects.get(name="城乡建设", level=1)
    assert 'id="domain-suggestion"' in page.text


def test_no_suggestion_without_a_trained_model(client, world, domain, settings, tmp_path):
    settings.LIUYAN_MODELS_DIR = tmp_path / "none"
    page = _edit(client, world, domain, title="小区物业乱收停车费", body=PROPERTY_BODY)
    assert page.context["suggestion"] is None
