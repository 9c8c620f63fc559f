from datetime import datetime

import pytest

from liuyan.insight.similar import IndexedMessage, SimilarityIndex, build_index, shingles

_MESSAGES = [
    IndexedMessage(
        1, "A市A1区金华小区物业乱收停车费，业主多次投诉无果", "A市", datetime(2019, 3, 1), "u1"
    ),
    IndexedMessage(
        2, "A市A1区金华小区物业乱收停车费，请领导关注", "A市", datetime(2019, 3, 2), "u2"
    ),
    IndexedMessage(3, "B市B2区学校强制学生补课并收取费用", "B市", datetime(2019, 3, 3), "u3"),
    IndexedMessage(4, "C市公交线路太少，早晚高峰挤不上车", "C市", datetime(2019, 5, 1), "u4"),
    IndexedMessage(
        5, "强烈要求取缔五一大道烧烤摊，油烟噪音扰民到深夜！", "A市", datetime(2019, 4, 1), "u5"
    ),
    IndexedMessage(
        6, "强烈要求取缔五一大道烧烤摊，油烟噪音扰民到深夜！！", "A市", datetime(2019, 4, 1), "u6"
    ),
    IndexedMessage(
        7, "强烈要求取缔五一大道烧烤摊,油烟噪音扰民到深夜", "A市", datetime(2019, 4, 2), "u7"
    ),
    IndexedMessage(
        8, "强烈要求取缔五一大道烧烤摊，油烟噪音扰民到深夜！", "A市", datetime(2019, 4, 2), "u5"
    ),
]


@pytest.fixture(scope="module")
def index():
    return build_index(_MESSAGES)


def test_shingles_ignore_punctuation_case_and_script():
    assert shingles("物業，管理") == shingles("物业管理") == ["物业", "业管", "管理"]
    assert shingles("！") == []


def test_most_similar_message_comes_first_with_a_cosine_score(index):
    matches = index.query("金华小区物业乱收停车费", k=3)
    assert {m.id for m in matches[:2]} == {1, 2}
    assert all(0 < m.score <= 1 for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_identical_text_scores_one_and_is_a_near_duplicate(index):
    (best, *_) = index.query(_MESSAGES[2].text)
    assert best.id == 3
    assert best.score == pytest.approx(1.0, abs=1e-3)
    assert best.near_duplicate


def test_unrelated_draft_has_no_near_duplicate(index):
    assert index.near_duplicates("医院收费不透明，看病难看病贵") == []


def test_filters_by_group_time_and_excluded_ids(index):
    draft = "金华小区物业乱收停车费"
    assert all(m.id not in {1, 2} for m in index.query(draft, group="B市"))
    assert [m.id for m in index.query(draft, k=2, since=datetime(2019, 3, 2))][:1] == [2]
    assert 1 not in [m.id for m in index.query(draft, exclude=[1])]
    assert index.query(draft, until=datetime(2019, 1, 1)) == []


def test_empty_index_and_empty_draft_return_nothing(index):
    assert SimilarityIndex().query("任何内容") == []
    assert index.query("，。！") == []


def test_duplicate_ids_are_rejected():
    index = SimilarityIndex()
    index.add(_MESSAGES[:1])
    with pytest.raises(ValueError, match="already indexed"):
        index.add(_MESSAGES[:1])


def test_additions_after_a_query_are_found():
    index = build_index(_MESSAGES[:3])
    index.query("补课")
    index.add([IndexedMessage(99, "D市医院收费不透明", "D市")])
    assert index.query("医院收费不透明")[0].id == 99


def test_campaign_needs_distinct_authors(index):
    campaigns = index.find_campaigns(min_authors=3)
    assert len(campaigns) == 1
    assert sorted(campaigns[0].ids) == [5, 6, 7, 8]
    assert campaigns[0].authors == ["u5", "u6", "u7"]
    assert index.find_campaigns(min_authors=4) == []


def test_campaigns_respect_the_time_window(index):
    assert index.find_campaigns(until=datetime(2019, 4, 2)) == []
