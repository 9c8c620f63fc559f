"""The desk's insight help: domain suggestions in screening and reply-quality scores."""

from __future__ import annotations

import pytest
from django.urls import reverse

from liuyan.board import services
from liuyan.directory.models import Domain
from liuyan.insight import classify, train
from tests.desk.conftest import dispatch, submit

pytestmark = pytest.mark.django_db

PROPERTY_BODY = "物业公司在小区乱收停车费和电梯费，业主多次反映都没有结果"
SCHOOL_BODY = "学校食堂饭菜质量差，分量少价格高，孩子吃不饱"


@pytest.fixture
def trained(settings, tmp_path):
    """A small real classifier for two first-level domains, in a fresh models directory."""
    records = [(f"小区物业乱收费{n}", PROPERTY_BODY, "城乡建设") for n in range(8)]
    records += [(f"学校食堂伙食差{n}", SCHOOL_BODY, "教育文体") for n in range(8)]
    settings.LIUYAN_MODELS_DIR = tmp_path / "models"
    train.train_and_save(records, settings.LIUYAN_MODELS_DIR)
    return settings.LIUYAN_MODELS_DIR


def _page(client, user, message):
    client.force_login(user)
    return client.get(reverse("desk:moderate_message", args=[message.pk]))


def test_screening_suggests_the_classifiers_domain_as_a_domain_row(client, world, trained):
    housing = Domain.objects.create(name="城乡建设", level=1)
    Domain.objects.create(name="教育文体", level=1)
    message = submit(world, title="小区物业乱收停车费")
    page = _page(client, world.moderator, message)
    first = page.context["domain_suggestions"][0]
    assert first.domain == housing and first.confidence > 0.5
    assert 'id="domain-suggestions"' in page.text


def test_no_domain_suggestion_without_a_trained_model(client, world, settings, tmp_path):
    settings.LIUYAN_MODELS_DIR = tmp_path / "empty"
    Domain.objects.create(name="城乡建设", level=1)
    page = _page(client, world.moderator, submit(world, title="小区物业乱收停车费"))
    assert page.context["domain_suggestions"] == []
    assert 'id="domain-suggestions"' not in page.text


def test_a_label_without_a_domain_row_is_not_suggested(client, world, trained):
    Domain.objects.create(name="教育文体", level=1)  # no 城乡建设 row any more
    page = _page(client, world.moderator, submit(world, title="小区物业乱收停车费"))
    assert [s.domain.name for s in page.context["domain_suggestions"]] == ["教育文体"]


def _reply_under_review(world, body):
    assignment = dispatch(world, submit(world), world.bureau)
    services.accept_assignment(assignment_id=assignment.pk, actor=world.handler)
    return services.submit_reply(assignment_id=assignment.pk, actor=world.handler, body=body)


def test_reply_review_shows_quality_scores_and_flags_in_chinese(client, world):
    reply = _reply_under_review(
        world, "您好，此事不属于我局职责，请您向有关部门咨询。感谢您的关注。"
    )
    client.force_login(world.moderator)
    page = client.get(reverse("desk:review_reply", args=[reply.pk]))
    quality = page.context["quality"]
    assert "回复把群众推给其他部门，未作调查" in quality.flags
    assert "调查核实情况" in quality.missing
    assert 'id="reply-quality"' in page.text and "回复把群众推给其他部门，未作调查" in page.text


def test_a_specific_reply_has_no_flags_and_lists_what_it_contains(client, world):
    reply = _reply_under_review(
        world,
        "您好！经核查，小区路灯线路老化，我局已安排维修队更换线路，路灯已恢复照明。"
        "如有疑问可咨询联系电话0731-88886666。感谢您的监督。",
    )
    client.force_login(world.moderator)
    quality = client.get(reverse("desk:review_reply", args=[reply.pk])).context["quality"]
    assert quality.flags == []
    assert {"调查核实情况", "处理结果", "联系方式"} <= set(quality.present)


def _train_in(settings, tmp_path, **options):
    records = [(f"小区物业乱收费{n}", PROPERTY_BODY, "城乡建设") for n in range(8)]
    records += [(f"学校食堂伙食差{n}", SCHOOL_BODY, "教育文体") for n in range(8)]
    settings.LIUYAN_MODELS_DIR = tmp_path / "models"
    train.train_and_save(records, settings.LIUYAN_MODELS_DIR, **options)


def test_screening_shows_the_classifiers_held_out_figure(client, world, settings, tmp_path):
    _train_in(settings, tmp_path)
    Domain.objects.create(name="城乡建设", level=1)
    page = _page(client, world.moderator, submit(world, title="小区物业乱收停车费"))
    assert 'id="classifier-figures"' in page.text
    assert not page.context["classifier_figures"].trained_on_generated_text
    assert "演示数据生成的文本" not in page.text


def test_a_classifier_trained_on_generated_text_says_its_figure_means_nothing(
    client, world, settings, tmp_path
):
    _train_in(settings, tmp_path, training_data=classify.GENERATED_TEXT)
    Domain.objects.create(name="城乡建设", level=1)
    page = _page(client, world.moderator, submit(world, title="小区物业乱收停车费"))
    assert page.context["classifier_figures"].trained_on_generated_text
    # The desk speaks Chinese by default (LANGUAGE_CODE), through desk's catalogue.
    assert "该模型用演示数据生成的文本训练，这一数字不能说明它对真实留言的效果。" in page.text
