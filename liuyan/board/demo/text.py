"""Realistic Chinese text for the demo world: problems × places × circumstances.

Deterministic: everything comes from one `random.Random`, so a seed gives the same world. The
wording is our own (see `problems.py`); nothing is copied from real messages. Places are built
from syllable parts around real county names and are remembered per county, so that the same
estates and roads come up again and again, as they do on a real board (hot issues need that).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from functools import cache

from liuyan.board.textrules import BODY_MAX, BODY_MIN, TITLE_MAX, TITLE_MIN

from .problems import DOMAIN_WEIGHTS, POLICIES, THEMES, Problem

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢"
    "宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢钟谭廖贺"
)
GIVEN = (
    "建国志强伟明丽华红英海涛文军平静敏燕俊杰磊晓东"
    "雪梅春林玉兰宏亮秀云德胜永辉佳怡子涵浩然欣怡思远雨轩"
)
NICK_HEADS = (
    "湘江",
    "岳麓",
    "赣江",
    "庐山",
    "井冈",
    "洞庭",
    "鄱阳",
    "橘洲",
    "滕王",
    "清风",
    "向阳",
    "山茶",
    "老街",
    "城东",
    "河西",
)
NICK_TAILS = (
    "居民",
    "市民",
    "业主",
    "老王",
    "小李",
    "宝妈",
    "老师",
    "大叔",
    "网友",
    "老党员",
    "打工人",
)

_ESTATE_HEADS = (
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
_ESTATE_MIDS = ("江", "湖", "山", "城", "苑", "景", "泰", "河", "林", "湾", "都", "悦")
_ESTATE_TAILS = ("小区", "花园", "家园", "新村", "公寓", "华庭", "名苑")
_ROADS = (
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
_ROAD_TAILS = ("路", "大道", "街", "中路", "北路", "南路")
_WORDS = (
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
_INDUSTRIES = (
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

PERSONAS = {
    "estate": ("{place}的业主", "{place}的居民", "住在{place}的一名退休职工"),
    "road": ("住在{place}附近的居民", "每天经过{place}的上班族", "{place}附近的一名商户"),
    "school": ("{place}的一名学生家长", "{place}附近的居民"),
    "market": ("经常在{place}买菜的居民", "{place}附近的市民"),
    "company": ("{place}的一名职工", "{place}附近的居民"),
    "village": ("{place}的村民", "{place}的一名农户", "在外务工的{place}村民"),
    "hospital": ("一名患者家属", "{place}附近的居民"),
    "office": ("一名普通市民", "一名个体工商户"),
    "scenic": ("一名游客", "{place}附近的居民"),
}
DURATIONS = (
    "这个问题已经持续三个多月了",
    "从去年冬天开始就是这样",
    "半年多来一直没有改善",
    "最近一个月越来越严重",
    "这种情况已经好几年了",
)
AFFECTED = (
    "涉及住户两百多户",
    "周边几十户居民都深受其扰",
    "受影响的有上百人",
    "不少老人和孩子受到影响",
    "很多人都有同样的遭遇",
)
TRIED = (
    "我们多次向物业和社区反映过，但一直没有解决",
    "之前打过12345热线，答复说会处理，但至今没有下文",
    "也找过街道办，工作人员说不归他们管",
    "我们去相关部门问过几次，每次都让回去等消息",
    "曾经联名写过反映材料，至今没有回音",
)
IMPACTS = (
    "严重影响了大家的正常生活",
    "存在很大的安全隐患",
    "群众意见很大",
    "给生活带来了很大不便",
    "大家都很着急",
)
CLOSINGS = (
    "恳请领导百忙之中关注此事，谢谢！",
    "希望有关部门尽快处理，给群众一个答复。",
    "盼望早日解决，万分感谢！",
    "相信政府一定会重视，谢谢！",
    "以上情况属实，恳请领导过问。",
)
EXTRAS = (
    "补充说明：我们不是无理取闹，只是希望问题能够得到解决。",
    "附近很多邻居都说要来留言，我先代表大家说一下情况。",
    "我们也理解政府工作千头万绪，但这件事确实拖得太久了。",
    "现场情况大家都可以去看看，一看就明白。",
)

HANDLING = (
    "立即安排工作人员到现场调查核实",
    "第一时间组织专人调查处理",
    "会同属地街道开展了实地核查",
)
PERFUNCTORY_REPLIES = (
    "您好，您反映的问题已收悉，已转有关部门处理。",
    "您好，请咨询有关部门。",
    "经了解，该问题不属于我单位职责范围，建议您向有关部门咨询。",
    "您反映的情况我们已知悉，将进一步加强管理，感谢您的关注。",
    "您好，此事正在研究中，请耐心等待。",
)
RESULTS = (
    "目前，相关问题已整改到位。",
    "经回访，现场情况已明显好转。",
    "下一步，我们将持续跟踪，防止问题反弹。",
    "相关工作正在有序推进。",
)
TIMEFRAMES = (
    "预计在{n}个工作日内完成。",
    "计划于本月底前完成整改。",
    "将于下月中旬前全部完成。",
    "我们将在{n}个工作日内将结果反馈给您。",
)
EVALUATION_GOOD = (
    "问题已经解决了，感谢！",
    "处理很及时，态度也很好。",
    "回复很详细，为你们点赞。",
    "",
    "",
)
EVALUATION_BAD = (
    "问题根本没有解决。",
    "答复敷衍，没有实质内容。",
    "说了整改，现场还是老样子。",
    "处理太慢了。",
    "",
)
REJECT_NOTES = {
    "spam": "留言内容为广告推广信息，与政务事项无关。",
    "abusive": "留言含有不文明用语，请修改后重新提交。",
    "not_actionable": "留言内容不具体，未说明具体地点和事项，无法交办，请补充后重新留言。",
    "outside_remit": "您反映的事项已进入司法程序，请通过法律途径解决。",
    "other": "留言事项属于单位内部管理问题，请向所在单位反映。",
}


@dataclass(frozen=True, slots=True)
class Draft:
    """A message before it has a life: what the citizen wrote about what, where."""

    domain: str  # first-level domain name
    problem: Problem
    place: str
    county: str
    title: str
    body: str


def short_county(name: str) -> str:
    """岳麓区 -> 岳麓, but 长沙县 stays 长沙县 (a bare 长沙 would read as the city)."""
    if len(name) > 2 and name[-1] in "区" and not name.endswith("新区"):
        return name[:-1]
    return name


class TextGenerator:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self._places: dict[tuple[str, str], tuple[str, ...]] = {}
        self._domains = list(DOMAIN_WEIGHTS)
        self._domain_weights = [DOMAIN_WEIGHTS[name] for name in self._domains]

    # --- people ---------------------------------------------------------------------------

    def person_name(self) -> str:
        given = "".join(self.rng.sample(GIVEN, self.rng.choice((1, 2))))
        return self.rng.choice(SURNAMES) + given

    def nickname(self) -> str:
        tail = self.rng.choice(NICK_TAILS)
        number = self.rng.choice(("", "", str(self.rng.randint(1, 999))))
        return f"{self.rng.choice(NICK_HEADS)}{tail}{number}"

    # --- places ---------------------------------------------------------------------------

    def place(self, kind: str, county: str) -> str:
        """A place of `kind` in `county`, drawn from the county's small pool of them."""
        key = (kind, county)
        pool = self._places.get(key)
        if pool is None:
            pool = self._places[key] = place_pool(kind, county)
        return self.rng.choice(pool)

    # --- messages -------------------------------------------------------------------------

    def pick_domain(self) -> str:
        return self.rng.choices(self._domains, self._domain_weights)[0]

    def draft(
        self,
        *,
        county: str,
        domain: str | None = None,
        problem: Problem | None = None,
        place: str | None = None,
        salutation: str = "领导",
        contact_phone: str = "",
    ) -> Draft:
        """A new message; pass `problem` and `place` to write about the same thing again."""
        domain = domain or self.pick_domain()
        problem = problem or self.rng.choice(THEMES[domain])
        place = place or self.place(problem.place, county)
        title = self.title(problem, place, county)
        body = self.body(problem, place, salutation=salutation, contact_phone=contact_phone)
        return Draft(domain, problem, place, county, title, body)

    def title(self, problem: Problem, place: str, county: str) -> str:
        r = self.rng
        if problem.type == "consultation":
            options = (
                f"咨询{problem.issue}相关问题",
                f"关于{problem.issue}的咨询",
                f"{county}{problem.issue}怎么办？",
            )
        elif problem.type == "suggestion":
            options = (
                f"建议{problem.ask}",
                f"关于{place}{problem.issue}的建议",
                f"{place}{problem.issue}，建议{problem.ask}",
            )
        else:
            options = (
                f"关于{place}{problem.issue}的问题",
                f"{place}{problem.issue}",
                f"反映{place}{problem.issue}",
                f"{place}{problem.issue}，希望尽快解决",
                f"{problem.issue}的问题何时能解决？",
            )
        fitting = [t for t in options if TITLE_MIN <= len(t) <= TITLE_MAX]
        return r.choice(fitting) if fitting else problem.issue[:TITLE_MAX]

    def body(
        self, problem: Problem, place: str, *, salutation: str, contact_phone: str = ""
    ) -> str:
        r = self.rng
        parts = [r.choice((f"尊敬的{salutation}：您好！", f"{salutation}您好！", "领导您好："))]
        parts.append(f"我是{r.choice(PERSONAS[problem.place]).format(place=place)}。")
        parts.append(problem.detail.format(place=place) + "。")
        if problem.type in ("complaint", "help"):
            parts.append(r.choice(DURATIONS) + "，" + r.choice(AFFECTED) + "。")
            if r.random() < 0.7:
                parts.append(r.choice(TRIED) + "。")
            parts.append(r.choice(IMPACTS) + "。")
        parts.append(f"希望{problem.ask}。")
        if r.random() < 0.15:
            parts.extend(r.sample(EXTRAS, 2))
        if contact_phone:
            parts.append(f"我的联系电话是{contact_phone}，方便的话请和我联系。")
        parts.append(r.choice(CLOSINGS))
        body = "".join(parts)
        if r.random() < 0.01:
            body = self._long_body(body, problem, place)
        return _fit(body, BODY_MIN, BODY_MAX)

    def _long_body(self, body: str, problem: Problem, place: str) -> str:
        """Now and then someone writes pages: the history of the problem, year by year."""
        years = [f"{n}年前，" for n in range(self.rng.randint(4, 12), 0, -1)]
        history = "".join(
            f"{when}{problem.detail.format(place=place)}，{self.rng.choice(TRIED)}。"
            for when in years
        )
        return body + "\n事情的经过是这样的：" + history

    # --- what units and moderators write --------------------------------------------------

    def reply(
        self, *, draft_title: str, problem: Problem, domain: str, unit: str, author: str, on: date
    ) -> str:
        r = self.rng
        policy = (
            f"根据{r.choice(POLICIES.get(domain, ('有关规定',)))}相关规定，"
            if r.random() < 0.6
            else ""
        )
        steps = [
            f"{author}：\n您好！您反映的“{draft_title}”收悉。",
            f"{unit}高度重视，{r.choice(HANDLING)}。",
            f"经查，{problem.finding}。",
            f"针对上述问题，{policy}{problem.action}。",
            r.choice(RESULTS),
        ]
        if r.random() < 0.5:
            steps.append(r.choice(TIMEFRAMES).format(n=r.choice((5, 10, 15, 20))))
        steps.append(
            f"如有疑问，可在工作日到{unit}咨询，或拨打12345政务服务便民热线。感谢您对我们工作的关心和支持！"
        )
        steps.append(f"\n{unit}\n{on.year}年{on.month}月{on.day}日")
        return "".join(steps)

    def perfunctory_reply(self) -> str:
        return self.rng.choice(PERFUNCTORY_REPLIES)

    def contribution(self, *, unit: str, problem: Problem) -> str:
        return (
            f"{unit}意见：我单位已配合开展现场核查。经查，{problem.finding}。"
            "我单位将按职责做好相关工作，具体情况已反馈主办单位。"
        )

    def evaluation_comment(self, *, satisfied: bool) -> str:
        return self.rng.choice(EVALUATION_GOOD if satisfied else EVALUATION_BAD)

    def follow_up(self, problem: Problem) -> str:
        return self.rng.choice(
            (
                f"请问{problem.issue}的整改具体什么时候能完成？",
                "答复里说的措施到现在还没有落实，请再督促一下。",
                "感谢答复，想再问一下后续有没有长效的解决办法？",
                f"现场看过了，{problem.issue}的情况还是存在，希望能再去看看。",
            )
        )

    def thanks(self, *, unit: str, problem: Problem) -> str:
        return self.rng.choice(
            (
                f"感谢{unit}的及时处理，{problem.issue}的问题已经解决了，为你们点赞！",
                f"非常感谢领导的关心和{unit}工作人员的辛苦付出！",
                "问题解决了，大家都很满意，谢谢政府！",
            )
        )

    def reject_note(self, reason: str) -> str:
        return REJECT_NOTES[reason]

    def return_note(self, *, unit: str) -> str:
        return f"该事项不属于{unit}职责范围，请重新交办。"

    def transfer_note(self, *, unit: str) -> str:
        return f"该事项由{unit}属地办理，请按时答复。"

    def extension_reason(self) -> str:
        return self.rng.choice(
            (
                "该问题涉及多个部门，需要协调解决，申请延期办理。",
                "整改工程需要招标采购，短期内无法完成，申请延期答复。",
                "需要等待第三方检测结果，申请延期。",
            )
        )

    def return_reply_reason(self) -> str:
        return self.rng.choice(
            (
                "答复内容过于简单，未针对群众反映的具体问题作出回应，请重新办理。",
                "答复未说明调查核实情况和处理结果，请补充后重新提交。",
                "答复以“不属于职责范围”推诿，请按交办要求认真办理。",
            )
        )

    def signoff_refusal(self) -> str:
        return self.rng.choice(
            ("请补充整改的具体时限。", "核实情况写得不够清楚，请修改。", "请把政策依据写明确。")
        )

    def supervision_note(self, *, unit: str) -> str:
        return self.rng.choice(
            (
                f"该留言已超期，请{unit}抓紧办理并按时答复。",
                f"请{unit}高度重视，加快办理进度。",
                "群众反映强烈，请列入重点督办事项。",
            )
        )

    def instruction(self, *, unit: str) -> str:
        return self.rng.choice(
            (
                f"请{unit}高度重视，抓紧调查处理，确保问题妥善解决，并及时向群众反馈。",
                f"请{unit}认真核实，举一反三，建立长效机制。",
                "此类问题具有普遍性，请相关部门研究提出系统解决办法。",
            )
        )

    def close_note(self) -> str:
        return self.rng.choice(
            (
                "经电话回访，群众对处理结果表示认可。",
                "经回头看核查，答复内容属实，予以办结。",
                "已按政策答复，予以办结。",
            )
        )


_POOL_SIZES = {
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


def _fit(text: str, minimum: int, maximum: int) -> str:
    if len(text) > maximum:
        return text[: maximum - 1] + "。"
    if len(text) < minimum:
        return text + "希望有关部门能尽快处理，谢谢！"
    return text


@cache
def place_pool(kind: str, county: str) -> tuple[str, ...]:
    """The places of `kind` in `county`: the same in every run and every worker process.

    A county has its own compounds, roads and schools, and many people write about the same
    ones. A pool drawn from the run's random stream gave every chunk of a load test new ones
    (and, made through a set, an order that changed with the hash seed).
    """
    rng = random.Random(f"{kind}:{county}")
    return tuple(dict.fromkeys(_new_place(rng, kind, county) for _ in range(_POOL_SIZES[kind])))


def _new_place(r: random.Random, kind: str, county: str) -> str:
    c = short_county(county)
    if kind == "estate":
        return f"{c}{r.choice(_ESTATE_HEADS)}{r.choice(_ESTATE_MIDS)}{r.choice(_ESTATE_TAILS)}"
    if kind == "road":
        return f"{c}{r.choice(_ROADS)}{r.choice(_ROAD_TAILS)}"
    if kind == "school":
        return f"{c}{r.choice(_WORDS)}{r.choice(('小学', '中学', '实验学校', '幼儿园'))}"
    if kind == "market":
        return f"{c}{r.choice(_WORDS)}{r.choice(('农贸市场', '菜市场', '商业街'))}"
    if kind == "company":
        return f"{c}{r.choice(_WORDS)}{r.choice(_INDUSTRIES)}有限公司"
    if kind == "village":
        return f"{c}{r.choice(_WORDS)}镇{r.choice(_WORDS)}村"
    if kind == "hospital":
        return r.choice((f"{c}人民医院", f"{c}中医医院", f"{c}{r.choice(_WORDS)}镇卫生院"))
    if kind == "scenic":
        return f"{c}{r.choice(_WORDS)}{r.choice(('景区', '公园', '古镇'))}"
    return f"{c}{r.choice(('政务服务中心', '不动产登记中心', '社保服务大厅', '办事大厅'))}"
