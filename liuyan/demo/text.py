"""Realistic Chinese text for the demo world: problems × places × circumstances.

Deterministic: everything comes from one `random.Random`, so a seed gives the same world. The
wording is our own (`problems` says what people write about, `phrases` how they and the units
put it, `places` where it happens); nothing is copied from real messages.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from liuyan.board.textrules import BODY_MAX, BODY_MIN, TITLE_MAX, TITLE_MIN

from .phrases import (
    AFFECTED,
    CLOSINGS,
    DURATIONS,
    EVALUATION_BAD,
    EVALUATION_GOOD,
    EXTRAS,
    GIVEN,
    HANDLING,
    IMPACTS,
    NICK_HEADS,
    NICK_TAILS,
    PERFUNCTORY_REPLIES,
    PERSONAS,
    REJECT_NOTES,
    RESULTS,
    SURNAMES,
    TIMEFRAMES,
    TRIED,
)
from .places import place_pool
from .problems import DOMAIN_WEIGHTS, POLICIES, THEMES, Problem


@dataclass(frozen=True, slots=True)
class Draft:
    """A message before it has a life: what the citizen wrote about what, where."""

    domain: str  # first-level domain name
    problem: Problem
    place: str
    county: str
    title: str
    body: str


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
        options: tuple[str, ...]
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


def _fit(text: str, minimum: int, maximum: int) -> str:
    if len(text) > maximum:
        return text[: maximum - 1] + "。"
    if len(text) < minimum:
        return text + "希望有关部门能尽快处理，谢谢！"
    return text
