"""Masking by shape (issue #11): what looks like personal data is masked whatever its check
digit, and staff text keeps the unit's official numbers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liuyan.insight import masking
from liuyan.insight.masking import find_personal_data, mask_public


def _kinds(text, author="citizen"):
    return [hit.kind for hit in find_personal_data(text, author=author)]


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("身份证号430102199003071257，户籍A市", "430102199003071257"),  # wrong check digit
        ("身份证110105198512120453", "110105198512120453"),
        ("我的证件号码43010219900307125X请保密", "43010219900307125X"),
        ("老身份证430102900307129还能用吗", "430102900307129"),  # 15 digits, no cue
        ("卡号6222020928159013963", "6222020928159013963"),  # fails Luhn
        ("请退款到6217001341252427317", "6217001341252427317"),  # no cue, fails Luhn
        ("转账到6222 0209 2815 9013 963", "6222 0209 2815 9013 963"),
        ("卡号4392-7409-3192-5448", "4392-7409-3192-5448"),
        ("我的手机13812345678", "13812345678"),
        ("家里座机0731-84567890", "0731-84567890"),
        ("邮箱zhangsan@163.com", "zhangsan@163.com"),
        ("护照号E12345678已过期", "E12345678"),
        ("护照G12345678", "G12345678"),
        ("我的护照号码EA1234567", "EA1234567"),
        ("社保号：1234567890", "1234567890"),
        ("社会保障号码A12345678", "A12345678"),
        ("我的车牌湘A12345", "湘A12345"),
    ],
)
def test_personal_data_is_masked_by_shape(text, secret):
    masked = mask_public(text)
    assert secret not in masked
    assert len(find_personal_data(text)) == 1


def test_the_exact_address_keeps_the_street_and_masks_the_rest():
    assert mask_public("家住枫林三路88号3栋502室") == "家住枫林三路**号*栋***室"
    assert mask_public("枫林三路88号3栋502室") == "枫林三路**号*栋***室"
    masked = mask_public("住在丽景小区5栋2单元301，噪音扰民")
    assert "5栋" not in masked and "2单元" not in masked and "301" not in masked
    assert "丽景小区" in masked
    assert mask_public("芙蓉中路二段100号12号楼") == "芙蓉中路二段***号**号楼"


@pytest.mark.parametrize(
    "text",
    [
        "2024年3月15日提交，20240315受理",
        "共计1234567.89元，补偿金50000元",
        "案号(2024)湘0102民初1234号已立案",
        "根据《信访工作条例》第一百二十三条和第32条的规定",
        "受理编号20240315000123，请查询",
        "订单号2024031512345678901已退款",
        "交易流水号20240315123456789012",
        "湘政发〔2019〕12号文件",
        "请拨打12345市长热线或110报警",
        "地铁3号线2号出口",
        "3月15号下午",
    ],
)
def test_look_alikes_stay_in_citizen_and_staff_text(text):
    assert mask_public(text) == text
    assert mask_public(text, author="staff") == text


def test_staff_text_keeps_the_units_hotline_and_masks_the_citizens_mobile():
    reply = "如有疑问请拨打0731-88888888，已电话联系您13907315566。"
    masked = mask_public(reply, author="staff")
    assert "0731-88888888" in masked
    assert "13907315566" not in masked and "139****5566" in masked


@pytest.mark.parametrize(
    ("reply", "kept", "masked"),
    [
        ("值班电话13800001111，欢迎来电", "13800001111", None),
        ("已按您的联系电话13907315566回访", None, "13907315566"),
        ("我们致电您留的座机0731-84567890无人接听", None, "84567890"),
        ("咨询电话：0731-85551234，传真0731-85551235", "0731-85551235", None),
    ],
)
def test_staff_text_tells_the_units_numbers_from_the_citizens(reply, kept, masked):
    result = mask_public(reply, author="staff")
    if kept:
        assert kept in result
    if masked:
        assert masked not in result


def test_staff_text_masks_the_citizens_id_card_and_address():
    reply = "经核实，您（身份证430102199003071257）反映的枫林三路88号3栋502室漏水问题已处理。"
    masked = mask_public(reply, author="staff")
    assert "430102199003071257" not in masked
    assert "3栋502室" not in masked


def test_staff_text_keeps_official_e_mail_and_masks_private_e_mail():
    masked = mask_public("请发送至xinfang@changsha.gov.cn，或联系zhangsan@163.com", author="staff")
    assert "xinfang@changsha.gov.cn" in masked and "zhangsan@163.com" not in masked


def test_citizen_text_still_masks_a_landline():
    assert "84567890" not in mask_public("我家电话0731-84567890")


def test_unknown_author_is_an_error():
    with pytest.raises(ValueError, match="author"):
        mask_public("text", author="robot")


_PROVINCES = st.sampled_from(["11", "31", "43", "44", "51", "65"])
_IDS = st.builds(
    lambda province, rest, year, month, day, seq, check: (
        f"{province}{rest}{year}{month:02d}{day:02d}{seq}{check}"
    ),
    _PROVINCES,
    st.text("0123456789", min_size=4, max_size=4),
    st.integers(1930, 2020),
    st.integers(1, 12),
    st.integers(1, 28),
    st.text("0123456789", min_size=3, max_size=3),
    st.sampled_from("0123456789X"),
)
_CARDS = st.builds(
    lambda prefix, digits, length: (prefix + digits)[:length],
    st.sampled_from(["62", "60", "4", "5", "9558", "3568"]),
    st.text("0123456789", min_size=19, max_size=19),
    st.integers(16, 19),
)
_AROUND = st.sampled_from(["", "我的", "号码：", "，谢谢", "。", "（本人）", " "])


@settings(max_examples=300, deadline=None)
@given(st.one_of(_IDS, _CARDS), _AROUND, _AROUND, st.sampled_from(["citizen", "staff"]))
def test_any_id_or_card_shape_is_masked_whatever_its_check_digit(number, left, right, author):
    masked = mask_public(f"{left}{number}{right}", author=author)
    assert number not in masked
    assert masked.count("*") >= len(number) - 8


@settings(max_examples=200, deadline=None)
@given(st.one_of(_IDS, _CARDS), _AROUND, st.sampled_from(["citizen", "staff"]))
def test_mask_public_is_idempotent(number, around, author):
    once = mask_public(f"{around}{number}{around}家住枫林三路88号3栋502室", author=author)
    assert mask_public(once, author=author) == once


def test_kinds_include_the_new_shapes():
    assert {masking.PASSPORT, masking.SOCIAL_SECURITY, masking.ADDRESS} <= set(masking.KINDS)


_ADDRESS_PIECES = st.sampled_from(
    [
        "枫林三路",
        "丽景小区",
        "88号",
        "3栋",
        "2单元",
        "502室",
        "12号楼",
        "八十八号",
        "三栋",
        "-1",
        "301",
    ]
)
_FILLER = st.text(
    alphabet=st.sampled_from(list("我家住在，。号栋室楼A市湘0123456789 -*元年月日")), max_size=12
)
_MIXED = st.lists(st.one_of(_FILLER, _ADDRESS_PIECES, _IDS, _CARDS), max_size=8).map("".join)


@pytest.mark.parametrize("author", ["citizen", "staff"])
def test_a_starred_digit_after_a_dash_still_ends_a_long_number(author):
    # Hypothesis found it: "…-0栋" is an address, so its 0 was starred, and the 16 digits before
    # "-*" then read as a bank card on the next pass: masking was not done in one go.
    once = mask_public("6200000000000000-0栋", author=author)
    assert find_personal_data(once, author=author) == []


@settings(max_examples=500, deadline=None)
@given(_MIXED, st.sampled_from(["citizen", "staff"]))
def test_masked_text_has_nothing_left_to_mask(text, author):
    once = mask_public(text, author=author)
    assert find_personal_data(once, author=author) == []
    assert len(once) == len(text)
