"""Text normalisation and Chinese word segmentation.

Every other insight module works on text passed through :func:`normalize`, so that traditional
and simplified characters, full-width and half-width forms, and stray whitespace all compare
equal. Segmentation uses rjieba (jieba-rs) with a small domain word list of our own.

rjieba has no "load a user dictionary file" call, but ``Jieba.add_word(word, freq, tag)`` adds
one word to an instance's dictionary; ``suggest_freq`` tells the frequency needed so that the
word wins over the split the general dictionary would make. We load ``data/words.txt`` into a
private ``Jieba`` instance rather than the module-level default, so other code in the same
process that uses ``rjieba.cut`` keeps its own behaviour.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import opencc

if TYPE_CHECKING:
    # Imported when the segmenter is built, not with this module: rjieba loads its dictionary
    # when imported (a noticeable part of a web process's start, bench/first_request.py), and
    # most pages never segment anything.
    import rjieba

WORDS_FILE = Path(__file__).with_name("data") / "words.txt"

STOP_WORDS_FILE = Path(__file__).with_name("data") / "stopwords.txt"


def _read_word_list(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


STOP_WORDS = frozenset(_read_word_list(STOP_WORDS_FILE))

_FULLWIDTH_OFFSET = 0xFEE0
_IDEOGRAPHIC_SPACE = "\u3000"
_INVISIBLE_RUN = re.compile("[\u200b\u200c\u200d\u2060\ufeff\xad]+")
# One str.translate pass instead of a Python loop per character: normalising is on the hot path
# of every save and of bulk loads.
_HALFWIDTH = {code: code - _FULLWIDTH_OFFSET for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH[ord(_IDEOGRAPHIC_SPACE)] = ord(" ")
_NEEDS_HALFWIDTH = re.compile("[\uff01-\uff5e\u3000]")
_HALFWIDTH_CHARS = {chr(code): chr(value) for code, value in _HALFWIDTH.items()}
_WHITESPACE_RUN = re.compile(r"\s+")
# A token is worth indexing when it carries a letter, digit or CJK ideograph.
_CONTENT_CHAR = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

_DOMAIN_WORD_FREQ = 10_000
_lock = threading.Lock()
_segmenter: rjieba.Jieba | None = None


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_halfwidth(text: str) -> str:
    """Map full-width ASCII forms (ＡＢＣ１２３，) and the ideographic space to half-width."""
    # Chinese text is full of full-width punctuation (，！？), so a regex that touches only those
    # characters beats translate(), which looks every character up in a dict.
    return _NEEDS_HALFWIDTH.sub(_halfwidth_char, text)


def _halfwidth_char(match: re.Match[str]) -> str:
    return _HALFWIDTH_CHARS[match.group()]


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def clean_whitespace(text: str) -> str:
    """Drop invisible characters and collapse runs of whitespace (including newlines) to one."""
    text = _INVISIBLE_RUN.sub("", text)  # a regex scan is far cheaper than translate here
    return _WHITESPACE_RUN.sub(" ", text).strip()


def normalize(text: str | None) -> str:
    """Simplified, half-width, single-spaced text; the common form all insight code compares."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    return clean_whitespace(to_simplified(to_halfwidth(text)))


def load_domain_words(path: Path = WORDS_FILE) -> list[tuple[str, str | None]]:
    words = []
    for line in _read_word_list(path):
        parts = line.split()
        words.append((parts[0], parts[1] if len(parts) > 1 else None))
    return words


def _build_segmenter() -> rjieba.Jieba:
    import rjieba

    segmenter = rjieba.Jieba()
    for word, tag in load_domain_words():
        # suggest_freq only makes the word beat its own characters; a neighbouring dictionary
        # word can still win (路灯不亮 -> 路 / 灯不亮), so our words get a floor that outweighs it.
        segmenter.add_word(word, max(segmenter.suggest_freq(word), _DOMAIN_WORD_FREQ), tag)
    return segmenter


def segmenter() -> rjieba.Jieba:
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                _segmenter = _build_segmenter()
    return _segmenter


@lru_cache(maxsize=100_000)
def is_content_token(token: str) -> bool:
    # Cached: a vocabulary is small next to the number of tokens that go through here.
    return bool(_CONTENT_CHAR.search(token)) and token not in STOP_WORDS


def tokens(text: str, *, normalized: bool = False, keep_stop_words: bool = False) -> list[str]:
    """Words of ``text`` in reading order: punctuation dropped, ASCII lowercased."""
    if not normalized:
        text = normalize(text)
    if keep_stop_words:
        words = (w.strip().lower() for w in segmenter().cut(text))
        return [w for w in words if w and _CONTENT_CHAR.search(w)]
    # The common case without a Python loop: map and filter run the cached _index_form in C.
    # It was half of the classifier's time per message.
    return list(filter(None, map(_index_form, segmenter().cut(text))))


def segment(text: str, *, normalized: bool = False) -> str:
    """Space-joined content words: the same shape as the shared data's 分词文本 column."""
    return " ".join(tokens(text, normalized=normalized))


def segment_for_search(text: str | None) -> str:
    """Space-joined tokens for a full-text index (SQLite FTS5, PostgreSQL tsvector 'simple').

    Uses jieba's search mode, which also emits the shorter words inside a long one
    (物业管理 -> 物业 管理 物业管理), so a query for 物业 finds a message about 物业管理.
    Index and query must both go through this function.
    """
    normalized = normalize(text)
    if not normalized:
        return ""
    return _joined_index_forms(segmenter().cut_for_search(normalized))


# Token -> index form, for `_joined_index_forms`: a plain dict read in C. An import segments
# millions of tokens (315 a message), and the lru_cache wrapper of `_index_form` cost half as
# much again as this lookup.
_INDEX_FORMS: dict[str, str] = {}
_INDEX_FORMS_MAX = 200_000


def _joined_index_forms(tokens: list[str]) -> str:
    """The index forms of `tokens` that carry something, space-joined."""
    forms = _INDEX_FORMS
    try:
        return " ".join(filter(None, map(forms.__getitem__, tokens)))
    except KeyError:  # tokens not seen yet: learn them, then join
        if len(forms) > _INDEX_FORMS_MAX:
            forms.clear()
        learned = {token: _index_form(token) for token in set(tokens).difference(forms)}
        forms.update(learned)
        try:
            return " ".join(filter(None, map(forms.__getitem__, tokens)))
        except KeyError:  # another thread cleared the forms meanwhile
            return " ".join(filter(None, map(_index_form, tokens)))


@lru_cache(maxsize=200_000)
def _index_form(token: str) -> str:
    """The token as indexed, or "" when it carries nothing worth finding. Cached: the same few
    thousand words make up most text, and this runs for every word of every saved message."""
    word = token.strip().lower()
    return word if word and is_content_token(word) else ""


# Characters jieba never puts inside a word: it cuts text into runs of CJK ideographs, letters,
# digits and "+#&._%-" and segments each run on its own. A text cut at these characters therefore
# segments exactly as the whole text does. Full-width forms that normalise into the run class
# (．％＋－) are left out on purpose.
_RUN_BREAK = re.compile(r"[\s，。！？、；：“”‘’（）《》【】〔〕,!?;:\"'()\[\]<>/]+")


class RepeatedTextSegmenter:
    """:func:`segment_for_search` for texts made of the same phrases again and again.

    Load-test data comes from a phrase generator: over 96% of its phrases recur. This cuts a
    text where jieba would cut it anyway (_RUN_BREAK) and remembers each piece's tokens, which
    gives the same tokens as :func:`segment_for_search` on the whole text at a fraction of the
    cost. (Segmenting a text's new pieces together in one call was no faster.) Live messages
    are all different; they go through segment_for_search directly.
    """

    def __init__(self, max_pieces: int = 200_000) -> None:
        self._piece = lru_cache(maxsize=max_pieces)(segment_for_search)

    def __call__(self, text: str | None) -> str:
        if not text:
            return ""
        return " ".join(filter(None, map(self._piece, _RUN_BREAK.split(text))))


def join_title_body(title: str | None, body: str | None) -> str:
    """One normalised text for a message: title first, then body."""
    title = normalize(title)
    body = normalize(body)
    if title and body:
        return f"{title} {body}"
    return title or body


def char_text(text: str) -> str:
    """Text with all whitespace removed, for character n-grams that work on either input form."""
    return _WHITESPACE_RUN.sub("", text)


def unique(words: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for word in words:
        seen.setdefault(word, None)
    return list(seen)
