import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liuyan.insight import masking
from liuyan.insight.masking import find_personal_data, mask
from tests.insight.masking_cases import CASES, labelled_cases


def _spans(text):
    return [(hit.kind, hit.start, hit.end) for hit in find_personal_data(text)]


def test_case_set_is_large_and_mixes_hits_and_non_hits():
    cases = labelled_cases()
    assert len(cases) >= 150
    with_hits = sum(1 for _, spans in cases if spans)
    assert 50 <= with_hits <= len(cases) - 50
    assert {kind for _, spans in cases for kind, _, _ in spans} == set(masking.KINDS)


@pytest.mark.parametrize("case", CASES, ids=range(len(CASES)))
def test_labelled_case(case):
    from tests.insight.masking_cases import parse_case

    text, expected = parse_case(case)
    assert _spans(text) == expected


def test_id_check_digit_follows_gb11643():
    assert masking.id_check_digit("11010519491231002") == "X"
    assert masking.valid_id18("11010519491231002X")
    assert not masking.valid_id18("110105194912310021")


def test_luhn():
    assert masking.luhn_valid("4111111111111111")
    assert not masking.luhn_valid("4111111111111112")


def test_mobile_mask_keeps_a_hint_and_the_separators():
    assert mask("电话13812345678").text == "电话138****5678"
    assert mask("电话+86 138-1234-5678").text == "电话+86 138-****-5678"


def test_masks_of_each_kind_keep_a_hint():
    masked = mask(
        "身份证430102199003071234，卡6222020928159013962，邮箱zhangsan@163.com，"
        "车湘A12345，座机0731-84567890"
    ).text
    assert "4301***********234" in masked
    assert "6222***********3962" in masked
    assert "z***@163.com" in masked
    assert "湘A****5" in masked
    assert "0731-****7890" in masked


def test_fullwidth_number_is_masked_in_place():
    result = mask("手机１３８１２３４５６７８。")
    assert result.text == "手机１３８****５６７８。"
    assert result.hits[0].text == "１３８１２３４５６７８"


def test_only_requested_kinds_are_masked():
    result = mask("13812345678 zhangsan@163.com", kinds=(masking.EMAIL,))
    assert result.text == "13812345678 z***@163.com"


def test_mask_without_personal_data_returns_text_unchanged():
    text = "A市A3区联丰路米兰春天小区噪音扰民，2019年3月15日"
    assert mask(text) == masking.MaskResult(text, [])


def test_unknown_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown"):
        masking.mask_value("fingerprint", "E12345678")


# --- properties ---------------------------------------------------------------------------

_MOBILES = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)
_FILLER = st.text(
    alphabet=st.sampled_from(list("我小区物业电话号码，。：（） -*元年月日号A市湘0123456789@.x")),
    max_size=30,
)
_KNOWN_VALUES = st.sampled_from(
    [
        "430102199003071234",
        "6222020928159013962",
        "zhangsan@163.com",
        "湘AD12345",
        "0731-84567890",
        "+86 138 1234 5678",
    ]
)
_TEXTS = st.lists(st.one_of(_FILLER, _MOBILES, _KNOWN_VALUES), max_size=6).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_masking_is_idempotent(text):
    once = mask(text).text
    assert mask(once).text == once


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_masked_text_contains_no_hit(text):
    assert find_personal_data(mask(text).text) == []


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_masking_preserves_length_outside_emails_and_hits_do_not_overlap(text):
    hits = find_personal_data(text)
    for before, after in itertools.pairwise(hits):
        assert before.end <= after.start
    if not any(hit.kind == masking.EMAIL for hit in hits):
        assert len(mask(text).text) == len(text)


@settings(max_examples=200, deadline=None)
@given(_MOBILES, _FILLER, _FILLER)
def test_a_mobile_number_between_chinese_words_is_found(number, left, right):
    text = f"{left}联系电话{number}谢谢{right}"
    kinds = {hit.kind for hit in find_personal_data(text) if number in hit.text}
    assert kinds == {masking.MOBILE}
