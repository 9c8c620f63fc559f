from datetime import datetime, timedelta

from liuyan.insight.hot import HotMessage, heat_index, hot_issues, main_place, specific_places

T0 = datetime(2019, 8, 1)


def _msg(i, title, days=0, author=None, likes=0, body=""):
    return HotMessage(i, title, body, T0 + timedelta(days=days), author or f"u{i}", likes)


def test_places_are_compounds_roads_and_schools_without_verbs_or_regions():
    assert specific_places("A市A2区景蓉华苑物业管理有问题") == ["景蓉华苑"]
    assert any(p.endswith("看云路") for p in specific_places("A3区梅溪湖看云路烧烤摊扰民"))
    assert specific_places("地铁3号线线路规划") == []
    assert main_place("A2区景蓉华苑物业管理有问题") == "A2区景蓉华苑"
    assert main_place("关于公交的建议", "A市A5区的问题") == "A市A5区"


def test_same_problem_in_same_compound_is_one_issue_and_other_compound_is_not():
    messages = [
        _msg(1, "A市伊景园滨河苑捆绑销售车位", 0),
        _msg(2, "伊景园滨河苑开发商捆绑销售车位", 1),
        _msg(3, "A市伊景园滨河苑强制捆绑销售车位", 2),
        _msg(4, "A市金色华庭捆绑销售车位", 2),
        _msg(5, "A市金色华庭开发商捆绑销售车位", 3),
        _msg(6, "B市学校乱收补课费", 3),
    ]
    issues = hot_issues(messages, top=5)
    assert [sorted(i.message_ids) for i in issues] == [[1, 2, 3], [4, 5]]
    assert issues[0].rank == 1 and "伊景园滨河苑" in issues[0].place
    assert issues[0].first == T0 and issues[0].last == T0 + timedelta(days=2)


def test_distinct_authors_weigh_more_than_repeat_posts():
    broad = heat_index(count=5, authors=5, likes=0, span_days=3, age_days=0)
    one_person = heat_index(count=5, authors=1, likes=0, span_days=3, age_days=0)
    assert broad > one_person


def test_likes_concentration_and_recency_raise_heat():
    base = dict(count=5, authors=5, likes=0, span_days=3, age_days=0)
    assert heat_index(**{**base, "likes": 100}) > heat_index(**base)
    assert heat_index(**{**base, "span_days": 1}) > heat_index(**{**base, "span_days": 300})
    assert heat_index(**base) > heat_index(**{**base, "age_days": 200})


def test_time_window_limits_the_messages():
    messages = [_msg(i, "A市伊景园滨河苑捆绑销售车位", i * 10) for i in range(1, 5)]
    issues = hot_issues(messages, since=T0 + timedelta(days=15), until=T0 + timedelta(days=35))
    assert sorted(issues[0].message_ids) == [2, 3]


def test_single_messages_are_not_issues():
    assert hot_issues([_msg(1, "A市伊景园滨河苑捆绑销售车位")]) == []
    assert hot_issues([]) == []
