"""Hot-issue places are whole names taken from the messages, never fragments of sentences."""

from __future__ import annotations

import csv
from datetime import datetime

import pytest

from liuyan.insight.hot import HotMessage, hot_issues
from liuyan.insight.places import whole_in
from liuyan.insight.text import normalize


def whole_name_in(place: str, texts: list[str]) -> bool:
    """Whether ``place`` occurs in one of ``texts`` as whole words (see
    :func:`liuyan.insight.places.whole_in`): not begun inside a word as the dictionary segments
    the text (议利用边角地 in 建议利用边角地), nor ended inside one (兰亭湾 in 兰亭湾畔小区)."""
    return any(whole_in(place, normalize(text)) for text in texts)


def test_the_check_rejects_fragments_cut_inside_a_word():
    assert whole_name_in("丽发新城小区", ["A2区丽发新城小区附近搅拌站噪音扰民"])
    assert not whole_name_in("议利用边角地", ["建议利用边角地建设口袋公园"])
    assert not whole_name_in("兰亭湾", ["A3区兰亭湾畔小区违规开餐厅"])
    assert not whole_name_in("金桂新苑", ["另一个小区的留言"])


def assert_places_are_whole_names(issues, texts_of) -> None:
    bad = [
        (issue.place, issue.title)
        for issue in issues
        if issue.place and not whole_name_in(issue.place, texts_of(issue))
    ]
    assert not bad, bad


@pytest.mark.shared_data
@pytest.mark.slow
def test_every_shared_data_hot_issue_place_is_a_whole_name_of_its_messages(shared_data):
    path = shared_data / "messages_hot.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        messages = [
            HotMessage(
                row["留言编号"],
                row["留言主题"],
                row["留言详情"],
                datetime.strptime(row["留言时间"][:19], "%Y-%m-%d %H:%M:%S"),
                row["留言用户"],
                int(row["点赞数"] or 0),
            )
            for row in csv.DictReader(handle)
        ]
    by_id = {m.id: m for m in messages}
    issues = hot_issues(messages, top=len(messages))
    assert len(issues) > 300
    assert_places_are_whole_names(
        issues, lambda i: [f"{by_id[m].title} {by_id[m].body}" for m in i.message_ids]
    )
