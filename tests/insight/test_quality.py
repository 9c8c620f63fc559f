from liuyan.insight.quality import assess_reply, elements_present

TITLE = "A2区景蓉华苑物业乱收停车费"
BODY = "景蓉华苑物业公司未经业主大会同意收取停车费，每月300元。"
GOOD = (
    "网友您好！感谢您的关注。经调查核实，景蓉华苑物业公司收取停车费未经业主大会表决。"
    "区住建局已责令物业公司停止收费，已退还多收的停车费。根据《物业管理条例》第十一条规定，"
    "收费须经业主大会决定。预计10月底前召开业主大会。如有疑问请拨打联系电话0731-84567890。"
)


def test_complete_relevant_reply_scores_high_without_flags():
    result = assess_reply(TITLE, BODY, GOOD)
    assert set(result.elements) == {
        "findings",
        "action",
        "result",
        "time_frame",
        "basis",
        "contact",
    }
    assert result.flags == []
    assert result.score > 0.8


def test_perfunctory_referral_is_flagged():
    result = assess_reply(TITLE, BODY, "您好，此事不属于我局职责，请向有关部门咨询。")
    assert "perfunctory_referral" in result.flags
    assert result.score < assess_reply(TITLE, BODY, GOOD).score / 2


def test_template_without_specifics_is_flagged():
    reply = "您好！我们高度重视，将进一步加强管理，持续关注景蓉华苑物业停车费问题。谢谢！"
    assert "template_without_specifics" in assess_reply(TITLE, BODY, reply).flags


def test_answer_to_a_different_problem_is_flagged():
    reply = "您好！经核实，A5区公交809路已于2019年5月调整线路，详情可咨询公交公司。"
    result = assess_reply(TITLE, BODY, reply)
    assert "different_problem" in result.flags
    assert result.relevance < 0.1


def test_signing_date_is_not_a_time_frame():
    assert "time_frame" not in elements_present("您好，已收悉。2019年4月29日")
    assert "time_frame" in elements_present("预计2019年5月完工。2019年4月29日")


def test_empty_reply():
    result = assess_reply(TITLE, BODY, "  ")
    assert result.score == 0 and result.flags == ["empty_reply"]
