"""Reply quality (答复质量): relevance, completeness, courtesy and warning flags.

* relevance: share of the message's content words (title weighted double) that the reply
  takes up; a reply that addresses the problem names its place and its subject.
* completeness: which of six elements a good reply contains, each detected by cue phrases
  read off the replies in the shared data: findings (经调查/经核实), action taken (已责令/
  已安排), result (已完成/已整改), time frame (dates, 预计/月底前), legal or policy basis
  (《…》/根据…规定), contact for further help (电话/联系人/可咨询).
* courtesy: greeting, thanks, apology or understanding.

Flags mark replies a moderator should send back (退回重办): a perfunctory referral elsewhere,
a template with nothing specific, or an answer about a different problem.

Thresholds were calibrated on messages_replies.csv (bench/insight_quality.py prints the
distribution): median relevance is about 0.27 and p10 0.06; under 0.08 the reply is, in the
examples we read, boilerplate or about something else, while 0.1-0.2 is often a short but
on-topic answer. Replies' signing dates are ignored for the time-frame element.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from liuyan.insight.text import normalize, tokens

ELEMENT_CUES: dict[str, re.Pattern[str]] = {
    "findings": re.compile(
        r"经(?:调查|核实|核查|了解|查|现场|走访|实地)|调查(?:核实)?情况|现场(?:察看|查看|勘察)"
    ),
    "action": re.compile(
        r"已(?:责令|要求|安排|督促|组织|协调|约谈|下达|立案|派|对|将|联系|召开)|责令|立即组织|督促|约谈|下发"
    ),
    "result": re.compile(
        r"已(?:完成|整改|解决|修复|拆除|清理|退还|支付|发放|恢复|办结|到位)|整改到位|问题已|目前已|已经(?:完成|解决)"
    ),
    "time_frame": re.compile(
        r"\d{4}年\d{1,2}月|\d{1,2}月(?:\d{1,2}日|底|中旬|上旬|下旬)|预计|年底|月底|近期|\d+个?(?:工作日|日内|天内)"
    ),
    "basis": re.compile(
        r"《[^》]{2,40}》|根据.{0,20}(?:规定|条例|办法|政策|文件|意见)|依据|按照.{0,20}(?:规定|政策|标准)|第[一二三四五六七八九十百\d]+条"
    ),
    "contact": re.compile(
        r"(?:联系|咨询|办公)电话|联系人|可(?:直接)?(?:咨询|联系|拨打|前往)|\d{3,4}-\d{7,8}|\d{7,8}"
    ),
}
_COURTESY = re.compile(r"您好|你好|感谢|谢谢|抱歉|歉意|理解|支持|关心|关注|敬礼")
_REFERRAL = re.compile(
    r"请(?:您)?(?:向|到|咨询|联系|找)(?:有关|相关|所在|当地|属地)?(?:部门|单位|社区|街道|法院|机构)"
    r"|建议(?:您)?(?:通过|向|到)(?:法律|司法|诉讼|仲裁|有关|相关)|不属于(?:我|本)(?:单位|局|部门)?(?:职责|管辖)"
    r"|请(?:您)?(?:自行|依法)(?:协商|维权|起诉)|通过法律途径"
    r"|已转(?:交|至|给)?(?:相关|有关)?(?:单位|部门)|已转[市区县][^，。]{0,10}(?:调查|处理|核处|办理)"
)
_TEMPLATE_ONLY = re.compile(
    r"高度重视|认真研究|积极(?:协调|推进)|进一步加强|加大.{0,6}力度|持续关注"
)

RELEVANCE_LOW = 0.08
# Most replies end with their signing date; it says nothing about when the problem is solved.
_SIGNING_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日?\W*$")
SHORT_REPLY = 60
WEIGHTS = {"relevance": 0.45, "completeness": 0.45, "courtesy": 0.10}


@dataclass(frozen=True, slots=True)
class ReplyQuality:
    score: float
    relevance: float
    completeness: float
    courtesy: float
    elements: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def relevance(title: str, body: str, reply: str) -> float:
    """Weighted share of the message's content words found in the reply."""
    title_words = set(tokens(title))
    body_words = set(tokens(normalize(body)[:400])) - title_words
    reply_text = normalize(reply)
    if not title_words and not body_words:
        return 0.0
    weight = 2 * len(title_words) + len(body_words)
    found = 2 * sum(w in reply_text for w in title_words) + sum(w in reply_text for w in body_words)
    return round(found / weight, 3)


def elements_present(reply: str) -> list[str]:
    text = _SIGNING_DATE.sub("", normalize(reply))
    return [name for name, cue in ELEMENT_CUES.items() if cue.search(text)]


def courtesy(reply: str) -> float:
    cues = set(_COURTESY.findall(normalize(reply)))
    return round(min(1.0, len(cues) / 2), 3)


def flags_for(reply: str, relevance_score: float, elements: list[str]) -> list[str]:
    text = normalize(reply)
    flags = []
    if _REFERRAL.search(text) and not {"findings", "result"} & set(elements):
        flags.append("perfunctory_referral")
    specific = {"findings", "result", "time_frame", "basis"} & set(elements)
    if not specific and (_TEMPLATE_ONLY.search(text) or len(text) < SHORT_REPLY):
        flags.append("template_without_specifics")
    if relevance_score < RELEVANCE_LOW:
        flags.append("different_problem")
    return flags


def assess_reply(title: str, body: str, reply: str) -> ReplyQuality:
    if not normalize(reply):
        return ReplyQuality(0.0, 0.0, 0.0, 0.0, [], ["empty_reply"])
    relevance_score = relevance(title, body, reply)
    elements = elements_present(reply)
    completeness = round(len(elements) / len(ELEMENT_CUES), 3)
    courtesy_score = courtesy(reply)
    # Relevance saturates: a reply that takes up 60% of the message's words is fully on topic.
    score = (
        WEIGHTS["relevance"] * min(1.0, relevance_score / 0.6)
        + WEIGHTS["completeness"] * completeness
        + WEIGHTS["courtesy"] * courtesy_score
    )
    flags = flags_for(reply, relevance_score, elements)
    if flags:
        score *= 0.8
    return ReplyQuality(
        round(score, 3), relevance_score, completeness, courtesy_score, elements, flags
    )
