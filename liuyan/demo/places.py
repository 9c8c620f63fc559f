"""Place names for the demo: estates, roads, schools, markets … around real county names.

Built from syllable parts (the literal tables below, our own) and kept in a small pool per
county, so that the same estates and roads come up again and again, as they do on a real
board (hot issues need that).
"""

from __future__ import annotations

import random
from functools import cache

ESTATE_HEADS = (
    "锦",
    "华",
    "翠",
    "金",
    "银",
    "阳光",
    "东方",
    "新",
    "幸福",
    "和平",
    "丽",
    "龙",
    "凤",
    "枫",
    "桂",
    "云",
)
ESTATE_MIDS = ("江", "湖", "山", "城", "苑", "景", "泰", "河", "林", "湾", "都", "悦")
ESTATE_TAILS = ("小区", "花园", "家园", "新村", "公寓", "华庭", "名苑")
ROADS = (
    "人民",
    "解放",
    "建设",
    "迎宾",
    "新华",
    "中山",
    "文化",
    "五一",
    "八一",
    "友谊",
    "学院",
    "滨江",
    "东风",
    "桃源",
)
ROAD_TAILS = ("路", "大道", "街", "中路", "北路", "南路")
WORDS = (
    "青山",
    "白沙",
    "桃花",
    "枫林",
    "长岭",
    "石门",
    "杨柳",
    "金盆",
    "红星",
    "双桥",
    "清水",
    "黄土",
    "松柏",
    "梅溪",
)
INDUSTRIES = (
    "建材",
    "化工",
    "食品",
    "物流",
    "机械",
    "家具",
    "纺织",
    "置业",
    "商贸",
    "科技",
    "健身",
    "旅行社",
)

POOL_SIZES = {
    "estate": 12,
    "road": 8,
    "school": 5,
    "market": 4,
    "company": 6,
    "village": 8,
    "hospital": 3,
    "office": 3,
    "scenic": 3,
}


def short_county(name: str) -> str:
    """岳麓区 -> 岳麓, but 长沙县 stays 长沙县 (a bare 长沙 would read as the city)."""
    if len(name) > 2 and name[-1] in "区" and not name.endswith("新区"):
        return name[:-1]
    return name


@cache
def place_pool(kind: str, county: str) -> tuple[str, ...]:
    """The places of `kind` in `county`: the same in every run and every worker process.

    A county has its own compounds, roads and schools, and many people write about the same
    ones. A pool drawn from the run's random stream gave every chunk of a load test new ones
    (and, made through a set, an order that changed with the hash seed).
    """
    rng = random.Random(f"{kind}:{county}")
    return tuple(dict.fromkeys(_new_place(rng, kind, county) for _ in range(POOL_SIZES[kind])))


def _new_place(r: random.Random, kind: str, county: str) -> str:
    c = short_county(county)
    if kind == "estate":
        return f"{c}{r.choice(ESTATE_HEADS)}{r.choice(ESTATE_MIDS)}{r.choice(ESTATE_TAILS)}"
    if kind == "road":
        return f"{c}{r.choice(ROADS)}{r.choice(ROAD_TAILS)}"
    if kind == "school":
        return f"{c}{r.choice(WORDS)}{r.choice(('小学', '中学', '实验学校', '幼儿园'))}"
    if kind == "market":
        return f"{c}{r.choice(WORDS)}{r.choice(('农贸市场', '菜市场', '商业街'))}"
    if kind == "company":
        return f"{c}{r.choice(WORDS)}{r.choice(INDUSTRIES)}有限公司"
    if kind == "village":
        return f"{c}{r.choice(WORDS)}镇{r.choice(WORDS)}村"
    if kind == "hospital":
        return r.choice((f"{c}人民医院", f"{c}中医医院", f"{c}{r.choice(WORDS)}镇卫生院"))
    if kind == "scenic":
        return f"{c}{r.choice(WORDS)}{r.choice(('景区', '公园', '古镇'))}"
    return f"{c}{r.choice(('政务服务中心', '不动产登记中心', '社保服务大厅', '办事大厅'))}"
