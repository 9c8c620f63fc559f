"""Issue #13: the clustering of a large block goes through sparse neighbours, not a dense matrix
of every pair, and finds the same issues."""

import random
from datetime import datetime, timedelta

import pytest

from liuyan.insight import hot

T0 = datetime(2026, 11, 1)
_PROBLEMS = [
    ("{p}路段夜间渣土车噪音扰民", "每天夜里渣土车从{p}经过，轰鸣声和喇叭声吵得居民无法入睡。"),
    ("{p}学校门口早晚高峰拥堵", "{p}学校门口接送孩子的车辆乱停，早晚高峰堵得水泄不通。"),
    ("{p}小区物业乱收停车费", "{p}小区物业私自上调停车费，没有公示也没有业主大会决议。"),
]
_WAYS = ["", "反映", "关于", "请求解决", "投诉", "再次反映"]


def _messages(size_per_problem: int) -> list[hot.HotMessage]:
    rng = random.Random(7)
    messages = []
    for problem, (title, body) in enumerate(_PROBLEMS):
        for n in range(size_per_problem):
            way = rng.choice(_WAYS)
            messages.append(
                hot.HotMessage(
                    id=(problem, n),
                    title=way + title.format(p=""),
                    body=body.format(p="") + rng.choice(["希望尽快处理。", "请领导重视。"]),
                    time=T0 + timedelta(hours=n),
                    author=f"u{problem}-{n}",
                    region_path=("43", "4301", "430104"),
                )
            )
    rng.shuffle(messages)
    return messages


def _issues(messages: list[hot.HotMessage]) -> list[set[object]]:
    return sorted(({messages[i].id for i in g} for g in hot.cluster(messages)), key=min)


@pytest.mark.parametrize("dense_max", [5, 25])
def test_a_block_larger_than_the_dense_bound_gives_the_same_issues(monkeypatch, dense_max):
    messages = _messages(20)
    dense = _issues(messages)
    assert sorted(map(len, dense)) == [20, 20, 20]
    monkeypatch.setattr(hot, "DENSE_MAX", dense_max)
    monkeypatch.setattr(hot, "COMMON_MIN", 40)  # words of all 60 are left out of the search
    searched: list[int] = []
    original = hot._sparse_linkage
    monkeypatch.setattr(hot, "_sparse_linkage", lambda *a: searched.append(1) or original(*a))
    assert _issues(messages) == dense
    # At 5 the components of 20 are clustered over their graph; at 25 densely, one by one.
    assert bool(searched) == (dense_max < 20)


def test_messages_filed_in_two_prefectures_are_never_compared(monkeypatch):
    compared: list[int] = []
    original = hot._bounded_linkage
    monkeypatch.setattr(
        hot,
        "_bounded_linkage",
        lambda vectors, *a: compared.append(vectors.shape[0]) or original(vectors, *a),
    )
    messages = _messages(4)
    moved = [
        hot.HotMessage(
            ("far", i), m.title, m.body, m.time, m.author, region_path=("43", "4307", "430721")
        )
        for i, m in enumerate(messages)
    ]
    hot.cluster(messages + moved)
    # One block per prefecture (12 messages each), never one of 24.
    assert max(compared) == 12
