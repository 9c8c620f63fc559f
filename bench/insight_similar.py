"""Similar-message queries against 100,000 synthetic messages: build time, p50/p95 query time.

Messages are generated from templates (place x problem x detail sentences), with some
copy-paste campaigns mixed in, so that common bigrams are as common as in real boards.

    .venv/bin/python bench/insight_similar.py [N]
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from liuyan.insight.similar import IndexedMessage, SimilarityIndex  # noqa: E402

CITIES = [f"{c}市" for c in "ABCDEFGHIJKLMN"]
DISTRICTS = [f"{n}区" for n in range(1, 10)] + [f"{n}县" for n in range(1, 8)]
COMPOUNDS = list("金丽华锦翠碧绿阳明星月湖山河海东西南北新城园")
SUFFIXES = ["小区", "花园", "苑", "家园", "华庭", "公馆", "新村"]
ROADS = ["人民路", "解放路", "建设大道", "中山街", "芙蓉路", "五一大道", "湘江路", "东风路"]
PROBLEMS = [
    "物业管理混乱，乱收物业费，业主多次投诉无果",
    "夜间施工噪音扰民，严重影响居民休息",
    "拆迁安置补偿款至今没有到位",
    "学校乱收补课费，家长负担很重",
    "公交线路太少，出行非常不便",
    "企业拖欠农民工工资，讨薪无门",
    "小区电梯经常故障，存在安全隐患",
    "餐馆油烟直排，污染周边环境",
    "住房公积金提取手续繁琐",
    "道路破损严重，雨天积水无人修",
    "违章建筑占用消防通道",
    "医院收费不透明，看病难看病贵",
    "垃圾站臭气熏天，长期无人清理",
    "开发商延期交房，不动产证迟迟办不下来",
    "幼儿园学位紧张，孩子入园难",
]
DETAILS = [
    "希望有关部门尽快调查处理。",
    "我们已经向街道和社区反映过多次，一直没有答复。",
    "恳请领导重视，给老百姓一个说法。",
    "这个问题已经持续了一年多时间。",
    "周边的老人和小孩深受其害。",
    "请相关部门依法查处，还我们一个安宁的生活环境。",
    "现在正值疫情期间，大家都很着急。",
    "打了12345热线也没有解决。",
    "很多业主联名反映过此事。",
    "希望政府能够出台相关政策。",
]


def place(rng: random.Random) -> str:
    compound = "".join(rng.sample(COMPOUNDS, 2)) + rng.choice(SUFFIXES)
    where = rng.choice([compound, rng.choice(ROADS)])
    return f"{rng.choice(CITIES)}{rng.choice('ABCD')}{rng.choice(DISTRICTS)}{where}"


def message_text(rng: random.Random) -> str:
    details = rng.sample(DETAILS, rng.randint(2, 5))
    return f"{place(rng)}{rng.choice(PROBLEMS)}。" + "".join(details)


def generate(n: int, seed: int = 20201) -> list[IndexedMessage]:
    rng = random.Random(seed)
    start = datetime(2019, 1, 1)
    messages = []
    campaign_texts = [message_text(rng) for _ in range(n // 2000)]
    for i in range(n):
        if campaign_texts and rng.random() < 0.02:
            text = rng.choice(campaign_texts) + rng.choice(["", "！", "望回复", "谢谢"])
        else:
            text = message_text(rng)
        messages.append(
            IndexedMessage(
                id=i,
                text=text,
                group=rng.choice(CITIES),
                time=start + timedelta(minutes=rng.randint(0, 60 * 24 * 700)),
                author=f"U{rng.randint(0, n // 3)}",
            )
        )
    return messages


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    messages = generate(n)
    started = time.perf_counter()
    index = SimilarityIndex()
    index.add(messages)
    index.freeze()
    print(f"indexed {len(index)} messages in {time.perf_counter() - started:.1f} s")

    rng = random.Random(7)
    drafts = [message_text(rng) for _ in range(300)]
    drafts += [messages[rng.randrange(n)].text[:-3] for _ in range(100)]  # edited copies
    timings = []
    found_copies = 0
    for number, draft in enumerate(drafts):
        started = time.perf_counter()
        matches = index.query(draft, k=10)
        timings.append((time.perf_counter() - started) * 1000)
        if number >= 300 and matches and matches[0].near_duplicate:
            found_copies += 1
    print(
        f"query over {n} messages ({len(drafts)} drafts): p50 {percentile(timings, 0.5):.1f} ms, "
        f"p95 {percentile(timings, 0.95):.1f} ms, max {max(timings):.1f} ms, "
        f"mean {statistics.mean(timings):.1f} ms"
    )
    print(f"edited copies recognised as near-duplicates: {found_copies}/100")
    started = time.perf_counter()
    filtered = index.query(drafts[0], k=10, group="A市", since=datetime(2019, 6, 1))
    print(
        f"filtered query (group + since): {(time.perf_counter() - started) * 1000:.1f} ms, "
        f"{len(filtered)} matches"
    )
    window = (datetime(2019, 3, 1), datetime(2019, 4, 1))
    started = time.perf_counter()
    campaigns = index.find_campaigns(since=window[0], until=window[1])
    print(
        f"campaigns in one month ({(time.perf_counter() - started):.1f} s): {len(campaigns)}; "
        f"largest: {len(campaigns[0].ids) if campaigns else 0} messages"
    )


if __name__ == "__main__":
    main()
