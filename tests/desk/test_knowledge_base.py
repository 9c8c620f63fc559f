"""The shared knowledge base: every reply published to a public message, from any unit,
offered (most similar first, masked) to a handler of another unit writing a reply, and
searchable by words and domain; never a private message's reply."""

import pytest
from django.urls import reverse

from liuyan.board import services, similarity
from liuyan.directory.models import Domain
from tests.desk.conftest import dispatch, submit

pytestmark = pytest.mark.django_db

LIGHTS = "小区路灯长期不亮，晚上出行很不方便，请尽快维修路灯"
ANSWER = "经核查，路灯线路老化，我局已更换线路并恢复照明。联系人电话13912345678。"
FILLER_SUBJECTS = (
    "学校门口交通拥堵",
    "物业乱收费",
    "企业拖欠工资",
    "夜间工地噪音扰民",
    "菜市场占道经营",
    "公交线路调整",
    "医保报销困难",
    "自来水水质发黄",
)
SECRET = "私密留言的答复不应出现在知识库里"


def _answered(world, *, title, body, public=True, reply=ANSWER, domain=None):
    message = services.submit_message(
        author=world.citizen,
        board=world.board,
        type="complaint",
        title=title,
        body=body,
        is_public=public,
        domain=domain,
    )
    assignment = dispatch(world, message, world.bureau)
    services.accept_assignment(assignment_id=assignment.pk, actor=world.handler)
    draft = services.submit_reply(assignment_id=assignment.pk, actor=world.handler, body=reply)
    services.approve_reply(reply_id=draft.pk, actor=world.moderator)
    return message


@pytest.fixture
def base(world):
    top = Domain.objects.create(name="城乡建设", level=1)
    works = Domain.objects.create(name="市政设施", level=2, parent=top)
    answered = _answered(world, title="小区路灯长期不亮", body=LIGHTS, domain=works)
    _answered(world, title="小区路灯长期不亮请维修", body=LIGHTS, public=False, reply=SECRET)
    # Another city's unit gets a message about the same problem.
    asked = submit(world, board=world.other_board, title="路灯不亮请维修")
    assignment = dispatch(world, asked, world.other_unit)
    # Other subjects: the index looks for candidates through the words that only a few
    # messages use (insight.similar.COMMON_TERM_SHARE), which needs a corpus of some size.
    for n, (subject, place) in enumerate(
        (s, p) for s in FILLER_SUBJECTS for p in ("东湖街道", "望城区", "芙蓉中路", "雨花亭")
    ):
        services.submit_message(
            author=world.other_citizen,
            board=world.board,
            type="complaint",
            title=f"{place}{subject}",
            body=f"{place}{subject}的问题已经很久了，这是第{n}次反映，请有关部门处理。",
        )
    # The index is topped up once a minute; start from one that holds the messages above.
    similarity.forget_index()
    return {"answered": answered, "assignment": assignment, "top": top}


def test_a_handler_of_another_unit_is_offered_the_similar_published_answer(client, world, base):
    client.force_login(world.other_handler)
    page = client.get(reverse("desk:knowledge") + f"?for={base['assignment'].pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert base["answered"].serial in html
    assert "我局已更换线路并恢复照明" in html
    assert "13912345678" not in html  # masked as on public pages
    assert SECRET not in html
    # The assignment page loads them beside the reply form.
    services.accept_assignment(assignment_id=base["assignment"].pk, actor=world.other_handler)
    html = client.get(reverse("desk:assignment", args=[base["assignment"].pk])).content.decode()
    assert f"{reverse('desk:knowledge')}?for={base['assignment'].pk}" in html
    # Another unit's assignment is no key to its message.
    client.force_login(world.handler)
    response = client.get(reverse("desk:knowledge") + f"?for={base['assignment'].pk}")
    assert response.status_code == 404


def test_search_by_words_and_by_domain(client, world, base):
    client.force_login(world.other_handler)
    by_words = client.get(reverse("desk:knowledge"), {"q": "路灯不亮"}).content.decode()
    assert base["answered"].serial in by_words and SECRET not in by_words
    by_domain = client.get(reverse("desk:knowledge"), {"domain": base["top"].pk}).content.decode()
    assert base["answered"].serial in by_domain
    other = Domain.objects.create(name="教育文体", level=1)
    elsewhere = client.get(reverse("desk:knowledge"), {"domain": other.pk}).content.decode()
    assert base["answered"].serial not in elsewhere


@pytest.mark.parametrize("odd", ["²", "１２", "-1", "abc", str(10**40)])
def test_an_odd_assignment_id_is_ignored_not_a_500(client, world, odd):
    """'²'.isdigit() is true and int('²') raises: the page once answered 500 to it."""
    client.force_login(world.handler)
    response = client.get(reverse("desk:knowledge"), {"for": odd})
    assert response.status_code == 200
