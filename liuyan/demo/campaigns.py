"""Two demo suggestion campaigns (人民建议征集): one running, one closed, with a few hundred
generated suggestions, supports, themes and decisions. Our own wording, combined at random
from the stock phrases below (no shared data).

Like the message generator, this writes the tables directly (bulk inserts), then lets the
campaign services do what they do for real: mask and publish, group into themes."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from liuyan.campaigns import services
from liuyan.campaigns.models import Campaign, Decision, Suggestion, Support
from liuyan.campaigns.search import search_text_for
from liuyan.directory.models import Board, Membership, Unit
from liuyan.directory.selectors import work_calendar
from liuyan.insight.masking import mask_public

from .world import PREFIX

MARKER = "【演示】"

# (subject, ideas): each idea a short verb phrase; a suggestion combines a subject, an idea,
# a reason and a wish.
SUBJECTS = {
    "公交": ("增加夜班公交线路", "优化公交站点设置", "延长末班车时间", "开通社区微循环公交"),
    "停车": ("建设立体停车场", "开放机关单位停车位", "规范路边停车收费", "增设充电桩车位"),
    "养老": (
        "增设社区养老食堂",
        "推广居家养老上门服务",
        "建设日间照料中心",
        "为独居老人安装紧急呼叫",
    ),
    "教育": ("增加普惠性幼儿园学位", "开展课后托管服务", "改善学校周边交通", "开放学校体育场地"),
    "环境": ("增加口袋公园", "推进垃圾分类", "治理餐饮油烟扰民", "增设公共厕所"),
    "营商": ("简化个体工商户登记", "推行一网通办", "减少重复提交材料", "设立企业服务专员"),
}
# Why, in the words of each subject: a suggestion's text is mostly about its own idea, so
# themes form around ideas rather than around stock phrases.
REASONS = {
    "公交": ("晚上下班后等车时间太长", "不少站点离小区太远", "老人和学生乘车不方便"),
    "停车": ("小区车位严重不足，车辆占道停放", "新能源车越来越多，充电难", "路边停车乱收费"),
    "养老": ("社区老年人越来越多，子女白天上班", "独居老人吃饭、看病都不方便", "养老服务供不应求"),
    "教育": ("幼儿园学位紧张，入园难", "放学时间早，家长无法接送", "孩子缺少运动场地"),
    "环境": ("周边缺少休闲健身的地方", "垃圾混投混放，气味难闻", "油烟和噪音影响居民休息"),
    "营商": ("办事要跑多个窗口，材料重复提交", "个体户开业手续繁琐", "企业遇到问题不知道找谁"),
}
PLACES = ("城东片区", "老城区", "高新区", "河西新城", "火车站周边", "大学城")


def _text(rng: random.Random) -> tuple[str, str]:
    subject = rng.choice(list(SUBJECTS))
    idea = rng.choice(SUBJECTS[subject])
    title = rng.choice((f"建议{idea}", f"关于{idea}的建议", f"希望{idea}", f"{idea}，方便群众"))
    where = f"在{rng.choice(PLACES)}" if rng.random() < 0.3 else ""
    body = f"{rng.choice(REASONS[subject])}，建议{where}{idea}。"
    if rng.random() < 0.05:  # now and then someone leaves a phone number: masked when published
        body += f"联系电话1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}。"
    return title, body


def demo_campaigns():
    return Campaign.objects.filter(title__startswith=MARKER)


@transaction.atomic
def ensure_campaigns(*, seed: int = 1, per_campaign: int = 150) -> int:
    """Create the two demo campaigns once. Returns how many suggestions were written."""
    if demo_campaigns().exists():
        return 0
    users = get_user_model().objects
    leader = Membership.objects.filter(
        user__username=f"{PREFIX}leader", role=Membership.Role.LEADER, board__isnull=False
    ).first()
    board = leader.board if leader else Board.objects.filter(default_unit__isnull=False).first()
    citizens = list(
        users.filter(username__startswith=f"{PREFIX}citizen").values_list("pk", flat=True)
    )
    moderator = users.filter(username=f"{PREFIX}moderator").first()
    if board is None or len(citizens) < 10:
        return 0
    handler = Membership.objects.filter(
        user__username=f"{PREFIX}handler", unit__isnull=False
    ).first()
    units = list(Unit.objects.filter(region=board.region, is_active=True)[:5])
    if handler and handler.unit and handler.unit not in units:
        units.insert(0, handler.unit)
    rng = random.Random(seed)
    now = timezone.now()
    written = 0
    for title, start, end, closed in (
        (
            f"{MARKER}我为城市发展建言献策",
            now - timedelta(days=20),
            now + timedelta(days=40),
            False,
        ),
        (
            f"{MARKER}“十五五”规划编制人民建议征集",
            now - timedelta(days=120),
            now - timedelta(days=30),
            True,
        ),
    ):
        campaign = Campaign.objects.create(
            title=title,
            description="围绕城市交通、养老、教育、环境和营商环境，广泛征集群众意见建议。"
            "好的建议将转交有关部门研究采纳，采纳情况向社会公开。",
            organiser_board=board,
            starts_at=start,
            ends_at=end,
            support_threshold=20,
            response_days=10,
            created_by=moderator,
            created_at=start,
            updated_at=start,
        )
        written += _fill(campaign, rng, citizens, moderator, units, per_campaign, closed=closed)
        services.group_into_themes(campaign=campaign, now=min(end, now))
    return written


def _fill(campaign, rng, citizens, moderator, units, count, *, closed: bool) -> int:
    span = (min(campaign.ends_at, timezone.now()) - campaign.starts_at).total_seconds()
    rows = []
    for _ in range(count):
        title, body = _text(rng)
        at = campaign.starts_at + timedelta(seconds=rng.random() * span)
        status = rng.choices(
            [Suggestion.Status.PUBLISHED, Suggestion.Status.SUBMITTED, Suggestion.Status.REJECTED],
            [0.85, 0.0 if closed else 0.1, 0.05],
        )[0]
        published = status == Suggestion.Status.PUBLISHED
        public_title = mask_public(title) if published else ""
        public_body = mask_public(body) if published else ""
        rows.append(
            Suggestion(
                campaign=campaign,
                author_id=rng.choice(citizens),
                title=title,
                body=body,
                is_public=rng.random() < 0.9,
                status=status,
                public_title=public_title,
                public_body=public_body,
                search_text=search_text_for(public_title, public_body) if published else "",
                reject_reason="duplicate" if status == Suggestion.Status.REJECTED else "",
                screened_by=moderator if status != Suggestion.Status.SUBMITTED else None,
                screened_at=at + timedelta(hours=3)
                if status != Suggestion.Status.SUBMITTED
                else None,
                submitted_at=at,
            )
        )
    Suggestion.objects.bulk_create(rows)
    listed = list(campaign.suggestions.filter(status=Suggestion.Status.PUBLISHED, is_public=True))
    calendar = work_calendar()
    supports = []
    for suggestion in listed:
        backers = rng.sample(citizens, min(len(citizens) - 1, int(rng.paretovariate(1.2)) - 1))
        backers = [b for b in backers if b != suggestion.author_id][:60]
        for user_id in backers:
            at = suggestion.submitted_at + timedelta(hours=rng.randint(1, 96))
            supports.append(
                Support(suggestion=suggestion, user_id=user_id, created_at=at, changed_at=at)
            )
        suggestion.support_count = len(backers)
        if suggestion.support_count >= campaign.support_threshold:
            reached = suggestion.submitted_at + timedelta(days=4)
            suggestion.threshold_reached_at = reached
            suggestion.response_due_at = calendar.add_working_days(reached, campaign.response_days)
            if closed or rng.random() < 0.5:
                suggestion.response = (
                    "感谢您的建议。我们已转交有关部门认真研究，研究结果将及时公开。"
                )
                suggestion.responded_at = reached + timedelta(days=3)
    Support.objects.bulk_create(supports)
    Suggestion.objects.bulk_update(
        listed,
        ["support_count", "threshold_reached_at", "response_due_at", "response", "responded_at"],
    )
    _decide(campaign, rng, listed, units, closed=closed)
    return len(rows)


def _decide(campaign, rng, listed, units, *, closed: bool) -> None:
    if not units:
        return
    chosen = sorted(listed, key=lambda s: -s.support_count)[: 40 if closed else 8]
    decisions = []
    end: datetime = min(campaign.ends_at, timezone.now())
    for suggestion in chosen:
        sent = end - timedelta(days=rng.randint(10, 20))
        decision = Decision(suggestion=suggestion, unit=rng.choice(units), sent_at=sent)
        if closed:
            decision.outcome = rng.choices(Decision.Outcome.values, [0.3, 0.2, 0.35, 0.15])[0]
            decision.reason = (
                "经研究，该建议"
                + {
                    "adopted": "切实可行，予以采纳。",
                    "partly": "部分内容可行，予以部分采纳。",
                    "reference": "有参考价值，将在今后工作中参考。",
                    "not_adopted": "暂不具备实施条件。",
                }[decision.outcome]
            )
            if decision.outcome in Decision.ADOPTING:
                decision.change = (
                    f"已纳入年度工作计划：{suggestion.public_title.removeprefix('建议')}。"
                )
                decision.change_link = "https://example.gov.cn/zwgk/"
            decision.decided_at = sent + timedelta(days=rng.randint(3, 9))
        decisions.append(decision)
    Decision.objects.bulk_create(decisions)
