"""`liuyan insight`: the batch CLI inside the platform, and training from handled messages."""

from __future__ import annotations

import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from liuyan.board import services
from liuyan.directory.models import Domain
from liuyan.insight import classify
from liuyan.insight.classify import load_classifier

pytestmark = pytest.mark.django_db

HOT_ROWS = [
    ("1", "u1", "A市A1区丽景小区物业乱收费", "2019-05-01 10:00:00", "丽景小区物业乱收停车费", "3"),
    (
        "2",
        "u2",
        "A市A1区丽景小区物业乱收费问题",
        "2019-05-02 10:00:00",
        "丽景小区物业收费不合理",
        "5",
    ),
    ("3", "u3", "丽景小区物业乱收费何时解决", "2019-05-03 10:00:00", "A1区丽景小区物业乱收费", "1"),
    ("4", "u4", "B市公交线路太少", "2019-05-04 10:00:00", "希望增加公交线路", "0"),
]


def test_hot_passes_its_arguments_to_the_insight_cli(tmp_path, capsys):
    table = tmp_path / "messages.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "点赞数"])
        writer.writerows(HOT_ROWS)
    output = tmp_path / "hot.csv"

    call_command("insight", "hot", "--input", str(table), "--top", "1", "--output", str(output))

    with output.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    assert rows[0]["留言数"] == "3" and rows[0]["点赞数"] == "9"
    assert "丽景小区" in capsys.readouterr().out


def test_a_missing_column_fails_with_the_clis_status(tmp_path):
    table = tmp_path / "bad.csv"
    table.write_text("留言编号,留言主题\n1,路灯不亮\n", encoding="utf-8")
    with pytest.raises(CommandError) as failure:
        call_command("insight", "hot", "--input", str(table))
    assert failure.value.returncode == 2


def _handled(world, title, body, domain):
    message = services.submit_message(
        author=world.citizen, board=world.board, type="complaint", title=title, body=body
    )
    services.screen_message(message_id=message.pk, actor=world.moderator, domain=domain)
    return message


@pytest.fixture
def domains(world):
    housing = Domain.objects.create(name="城乡建设", level=1)
    property_management = Domain.objects.create(name="物业管理", level=2, parent=housing)
    schools = Domain.objects.create(name="教育文体", level=1)
    return property_management, schools


def test_train_from_platform_labels_with_the_confirmed_first_level_domain(
    world, domains, tmp_path, settings
):
    settings.LIUYAN_MODELS_DIR = tmp_path / "models"
    property_management, schools = domains
    for n in range(6):
        _handled(
            world,
            f"小区物业乱收费第{n}栋",
            f"物业公司在小区乱收停车费和电梯费，业主多次反映都没有结果，第{n}次",
            property_management,
        )
        _handled(
            world,
            f"学校食堂伙食差{n}班",
            f"孩子所在学校食堂饭菜质量差，分量少价格高，老师也不管，第{n}次",
            schools,
        )
    thrown_out = _handled(
        world,
        "学校收补课费",
        "学校强制收取补课费用，每个学生每学期要交两千元，家长意见很大",
        property_management,
    )
    services.reject_message(message_id=thrown_out.pk, actor=world.moderator, reason="spam")
    services.submit_message(  # never screened: no confirmed domain
        author=world.citizen,
        board=world.board,
        type="help",
        title="小区路灯不亮",
        body="小区门口的路灯坏了两个多月，晚上出行很不方便。",
    )

    call_command("insight", "train", "--from-platform", "--min-messages", "12")

    model = load_classifier(settings.LIUYAN_MODELS_DIR)
    assert model is not None
    assert sorted(model.labels) == ["城乡建设", "教育文体"]
    assert model.manifest["metrics"]["raw_messages"] == 12
    assert model.predict([("物业乱收费", "小区物业公司乱收停车费")])[0].label == "城乡建设"


def test_train_from_platform_says_how_many_labelled_messages_are_needed(
    world, domains, tmp_path, settings
):
    settings.LIUYAN_MODELS_DIR = tmp_path / "models"
    _handled(world, "小区物业乱收费", "物业公司在小区乱收停车费和电梯费，业主多次反映", domains[0])

    with pytest.raises(CommandError, match="至少需要 200 条"):
        call_command("insight", "train", "--from-platform")
    assert not (tmp_path / "models").exists()


def _sixteen_handled(world, domains):
    property_management, schools = domains
    for n in range(8):
        _handled(
            world,
            f"小区物业乱收费第{n}栋",
            f"物业公司在小区乱收停车费和电梯费，业主多次反映都没有结果，第{n}次",
            property_management,
        )
        _handled(
            world,
            f"学校食堂伙食差{n}班",
            f"孩子所在学校食堂饭菜质量差，分量少价格高，老师也不管，第{n}次",
            schools,
        )


def test_a_model_trained_on_real_messages_records_it_and_shows_its_figures(
    world, domains, tmp_path, settings
):
    settings.LIUYAN_MODELS_DIR = tmp_path / "models"
    _sixteen_handled(world, domains)
    out = StringIO()

    with translation.override("en"):
        call_command("insight", "train", "--from-platform", "--min-messages", "16", stdout=out)

    manifest = load_classifier(settings.LIUYAN_MODELS_DIR).manifest
    assert manifest["training_data"] == classify.LABELLED_MESSAGES
    assert "Held-out macro-F1" in out.getvalue()
    assert "generated demo text" not in out.getvalue()


def test_a_model_trained_on_the_demos_messages_says_its_figures_mean_nothing(
    world, domains, tmp_path, settings
):
    from liuyan.accounts.models import User
    from liuyan.board.models import Message
    from liuyan.demo.world import PREFIX

    settings.LIUYAN_MODELS_DIR = tmp_path / "models"
    _sixteen_handled(world, domains)
    generator = User.objects.create_user(username=f"{PREFIX}citizen", password="pw-demo")
    Message.objects.filter(pk=Message.objects.order_by("pk").first().pk).update(author=generator)
    english, chinese = StringIO(), StringIO()

    with translation.override("en"):
        call_command("insight", "train", "--from-platform", "--min-messages", "16", stdout=english)
    with translation.override("zh-hans"):
        call_command("insight", "train", "--from-platform", "--min-messages", "16", stdout=chinese)

    manifest = load_classifier(settings.LIUYAN_MODELS_DIR).manifest
    assert manifest["training_data"] == classify.GENERATED_TEXT
    assert "1 of 16 messages by the demo generator" in manifest["source"]
    assert (
        "Trained on generated demo text; this figure says nothing about real messages."
        in english.getvalue()
    )
    assert "这一数字不能说明它对真实留言的效果" in chinese.getvalue()


def test_training_from_the_platform_reads_a_bounded_sample_of_each_domain(world, monkeypatch):
    """At most PER_DOMAIN of the newest messages of each first-level domain, labelled with it."""
    from liuyan.board.models import Message
    from liuyan.ops.management.commands import insight
    from tests.conftest import MONDAY

    monkeypatch.setattr(insight, "PER_DOMAIN", 2)
    big = Domain.objects.create(name="测试大类甲", level=1)
    leaf = Domain.objects.create(name="测试小类", level=2, parent=big)
    small = Domain.objects.create(name="测试大类乙", level=1)
    made = {}
    for i, domain in enumerate([leaf, leaf, leaf, small]):
        made[i] = Message.objects.create(
            serial=f"S{i:09d}",
            board=world.board,
            region=world.city,
            type="complaint",
            title=f"标题{i}",
            body="内容" * 900,
            public_title="t",
            public_body="b",
            state="dispatched",
            domain=domain,
            submitted_at=MONDAY,
            screened_at=MONDAY,
        )
    records, ids = insight.platform_training_sample()
    assert sorted(ids) == sorted([made[1].pk, made[2].pk, made[3].pk])  # the oldest of 3 left
    assert {r.label for r in records} == {"测试大类甲", "测试大类乙"}
    assert max(len(r.body) for r in records) == insight.BODY_CHARS
