from hypothesis import given
from hypothesis import strategies as st

from liuyan.insight import text


def test_normalize_converts_traditional_to_simplified():
    assert text.normalize("小區物業管理混亂") == "小区物业管理混乱"


def test_normalize_maps_fullwidth_letters_digits_and_punctuation_to_halfwidth():
    assert text.normalize("ＡＢＣ１２３，！") == "ABC123,!"


def test_normalize_collapses_whitespace_and_drops_invisible_characters():
    assert text.normalize("  物业\u3000管\u200b理\n\n 混乱\t") == "物业 管理 混乱"


def test_normalize_of_nothing_is_empty():
    assert text.normalize(None) == ""
    assert text.normalize("   ") == ""


def test_domain_words_stay_whole():
    words = text.tokens("小区噪音扰民严重，拆迁安置补偿不到位")
    assert "噪音扰民" in words
    assert "拆迁安置" in words


def test_domain_words_file_is_loaded_into_a_private_segmenter():
    import rjieba

    assert text.segmenter().has_word("噪音扰民")
    # the process-wide default instance is left alone for other users of rjieba
    assert not rjieba.has_word("噪音扰民")


def test_tokens_drop_stop_words_and_punctuation():
    words = text.tokens("请问我们小区的物业管理为什么这么乱？！")
    assert "的" not in words
    assert "请问" not in words
    assert "？" not in words and "?" not in words
    assert "物业管理" in words


def test_segment_matches_traditional_and_simplified_input():
    assert text.segment("物業管理混亂") == text.segment("物业管理混乱")


def test_segment_for_search_emits_inner_words_for_recall():
    indexed = text.segment_for_search("住房公积金提取难").split()
    assert {"公积金", "住房公积金", "提取"} <= set(indexed)


def test_segment_for_search_lowercases_ascii_and_handles_empty_text():
    assert "abc" in text.segment_for_search("ＡＢＣ 小区").split()
    assert text.segment_for_search("") == ""
    assert text.segment_for_search("，。！") == ""


def test_char_text_removes_all_spaces():
    assert text.char_text("物业 管理\t混乱") == "物业管理混乱"


def test_domain_words_beat_a_neighbouring_dictionary_word():
    # jieba's dictionary has 灯不亮; without a frequency floor 路灯不亮 became 路 / 灯不亮 and a
    # search for 路灯 missed the message.
    from liuyan.insight.text import segment_for_search

    assert "路灯" in segment_for_search("小区路灯不亮").split()


# Pieces of text the load-test generator and real messages are made of: phrases, the
# characters jieba cuts at, and the ones it keeps inside a run (digits, "." "%" "-", letters,
# full-width forms that normalise into them) or that normalisation changes (traditional forms).
_PIECES = [
    "小区物业管理混乱",
    "路灯不亮",
    "3.5米",
    "50%",
    "A-1栋",
    "ＡＢＣ１２３",
    "１２．５",
    "小區物業",
    "2026年9月15日",
    "iPhone",
    "，",
    "。",
    "！",
    "：",
    "“",
    "”",
    "（",
    "）",
    " ",
    "\n",
    "\u3000",
    "、",
    "/",
    "．",
    "－",
    "的",
    "建议",
    "噪音扰民",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_repeated_text_segmenter_gives_exactly_the_search_tokens(parts):
    segment = text.RepeatedTextSegmenter(max_pieces=8)  # small: entries are also evicted
    joined = "".join(parts)
    assert segment(joined) == text.segment_for_search(joined)
    assert segment(joined) == text.segment_for_search(joined)  # the second time from memory


def test_repeated_text_segmenter_of_nothing_is_empty():
    segment = text.RepeatedTextSegmenter()
    assert segment(None) == segment("") == segment("，。") == ""


def test_segment_for_search_is_the_same_from_the_learned_forms_and_after_they_are_cleared():
    sample = "Ｐｈｏｎｅ小区物业管理，电梯坏了3个月！ 住房公积金提取难"
    reference = " ".join(
        filter(None, map(text._index_form, text.segmenter().cut_for_search(text.normalize(sample))))
    )
    text._INDEX_FORMS.clear()
    first = text.segment_for_search(sample)  # learns the tokens' forms
    assert text._INDEX_FORMS  # and keeps them
    assert first == text.segment_for_search(sample) == reference
    assert "phone" in first.split() and "，" not in first
    text._INDEX_FORMS["物业"] = "wrong"  # the next call reads the learned forms
    assert "wrong" in text.segment_for_search(sample).split()
    text._INDEX_FORMS.clear()
    assert text.segment_for_search(sample) == reference
