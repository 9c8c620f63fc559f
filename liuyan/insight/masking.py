"""Personal-data detection and masking for public message text.

Each kind is found in two steps: a regular expression proposes candidates with strict boundaries
(no digit or ASCII letter directly around a number, so pieces of longer numbers never match),
then a validator rejects what the pattern alone cannot: check digits for ID numbers (GB 11643)
and bank cards (Luhn), real province codes and birth dates, real area codes and local numbers for
landlines. Money amounts (a unit such as 元 right after the number) are never personal data.

Matching runs on a half-width copy of the text; that mapping is one character to one character,
so offsets are valid in the original text and full-width digits (１３８…) are found too.

Masking keeps a hint (138****5678) so moderators can still tell two numbers apart, and replaces
digits by ``*`` in place, keeping separators. A masked number no longer matches any pattern,
which makes :func:`mask` idempotent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from liuyan.insight.text import to_halfwidth

MOBILE = "mobile"
LANDLINE = "landline"
ID_CARD = "id_card"
BANK_CARD = "bank_card"
EMAIL = "email"
PLATE = "plate"
KINDS = (MOBILE, LANDLINE, ID_CARD, BANK_CARD, EMAIL, PLATE)


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class MaskResult:
    text: str
    hits: list[Hit]


# A number must not be glued to other digits, letters or mask stars: that is how we avoid
# matching inside order numbers, licence numbers and already-masked values.
_NUM_BEFORE = r"(?<![0-9A-Za-z*_.@-])"
_NUM_AFTER = r"(?![0-9A-Za-z*_@]|[.-][0-9]|\s*(?:元|万|亿|块|角|美元|平方|米|公斤|吨|㎡))"
_SEP = r"[ \-]?"

_MOBILE_RE = re.compile(
    _NUM_BEFORE
    + r"(?P<prefix>(?:\+|00)?86"
    + _SEP
    + r")?(?P<core>1[3-9][0-9]"
    + _SEP
    + r"[0-9]{4}"
    + _SEP
    + r"[0-9]{4})"
    + _NUM_AFTER
)
# Area codes: 010, 02X, 0[3-9]XX. Local numbers start with 2-8 (0 and 1 are trunk/service).
_LANDLINE_RE = re.compile(
    r"(?<![0-9A-Za-z*_.@-])"
    + r"(?:\((?P<area_p>0(?:10|2[0-9]|[3-9][0-9]{2}))\)\s?|(?P<area>0(?:10|2[0-9]|[3-9][0-9]{2}))"
    + r"(?:-{1,2}|—{1,2}| ?))"
    + r"(?P<local>[2-8][0-9]{6,7})"
    + r"(?:(?:-|转|ext\.?)(?P<ext>[0-9]{1,5}))?"
    + _NUM_AFTER
)
_ID18_RE = re.compile(
    _NUM_BEFORE + r"[1-9][0-9]{5}(?:18|19|20)[0-9]{2}[0-9]{4}[0-9]{3}[0-9Xx]" + _NUM_AFTER
)
_ID15_RE = re.compile(_NUM_BEFORE + r"[1-9][0-9]{5}[0-9]{2}[0-9]{4}[0-9]{3}" + _NUM_AFTER)
_BANK_RE = re.compile(
    _NUM_BEFORE + r"(?:(?:[0-9]{4}[ \-]){3}[0-9]{4}(?:[ \-]?[0-9]{1,3})?|[0-9]{16,19})" + _NUM_AFTER
)
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+*@-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,12}(?![A-Za-z0-9@-])"
)
_PROVINCE_CHARS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_LETTERS = "A-HJ-NP-Z"  # I and O are never used on plates
_PLATE_RE = re.compile(
    rf"[{_PROVINCE_CHARS}](?P<city>[{_PLATE_LETTERS}])[·• \-]?"
    rf"(?P<serial>[{_PLATE_LETTERS}0-9]{{5,6}}|[{_PLATE_LETTERS}0-9]{{4}}[挂学警港澳])"
    r"(?![0-9A-Za-z*])"
)

# GB/T 2260 province-level codes: the first two digits of an ID number.
_PROVINCE_CODES = frozenset(
    (
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    )
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Issuer prefixes and the lengths they use on mainland cards (UnionPay 62, old domestic 60/9,
# Visa 4, Mastercard 5, JCB 35). Any other Luhn-valid run needs a cue word nearby: one random
# digit string in ten passes Luhn, so the checksum alone lets too many order numbers through.
_CARD_PREFIX_LENGTHS = (
    ("62", range(16, 20)),
    ("60", range(16, 20)),
    ("9", range(19, 20)),
    ("4", range(16, 17)),
    ("5", range(16, 17)),
    ("35", range(16, 17)),
)
_CARD_CUE = re.compile(
    r"(?:银行卡|卡号|账号|帐号|储蓄卡|借记卡|信用卡|工资卡|社保卡|银行账户|开户行)"
)
_ID_CUE = re.compile(r"(?:身份证|证件号|公民身份号码)")
_CUE_WINDOW = 16


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _valid_birth_date(year: int, month: int, day: int) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1880, 1, 1) <= born <= date.today()


def valid_id18(number: str) -> bool:
    if number[:2] not in _PROVINCE_CODES:
        return False
    if not _valid_birth_date(int(number[6:10]), int(number[10:12]), int(number[12:14])):
        return False
    return id_check_digit(number[:17]) == number[17].upper()


def valid_id15(number: str) -> bool:
    # Old 15-digit numbers have no check digit: only the region and a 19xx birth date.
    if number[:2] not in _PROVINCE_CODES:
        return False
    return _valid_birth_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _cue_before(text: str, start: int, cue: re.Pattern[str]) -> bool:
    return bool(cue.search(text, max(0, start - _CUE_WINDOW), start))


def _find_mobiles(text: str) -> Iterator[tuple[int, int]]:
    for m in _MOBILE_RE.finditer(text):
        yield m.start(), m.end()


def _find_landlines(text: str) -> Iterator[tuple[int, int]]:
    for m in _LANDLINE_RE.finditer(text):
        yield m.start(), m.end()


def _find_id_cards(text: str) -> Iterator[tuple[int, int]]:
    for m in _ID18_RE.finditer(text):
        if valid_id18(m.group()):
            yield m.start(), m.end()
    for m in _ID15_RE.finditer(text):
        # Too many 15-digit order and case numbers look like old IDs: require a cue word.
        if valid_id15(m.group()) and _cue_before(text, m.start(), _ID_CUE):
            yield m.start(), m.end()


def _known_card_shape(digits: str) -> bool:
    return any(
        digits.startswith(prefix) and len(digits) in lengths
        for prefix, lengths in _CARD_PREFIX_LENGTHS
    )


def _find_bank_cards(text: str) -> Iterator[tuple[int, int]]:
    for m in _BANK_RE.finditer(text):
        digits = _digits(m.group())
        if not 16 <= len(digits) <= 19 or not luhn_valid(digits):
            continue
        if _known_card_shape(digits) or _cue_before(text, m.start(), _CARD_CUE):
            yield m.start(), m.end()


def _find_emails(text: str) -> Iterator[tuple[int, int]]:
    for m in _EMAIL_RE.finditer(text):
        yield m.start(), m.end()


def _find_plates(text: str) -> Iterator[tuple[int, int]]:
    for m in _PLATE_RE.finditer(text):
        serial = m.group("serial")
        # Real serials are mostly digits; words like 湘AFTER or 京ABCDE are not plates.
        if sum(c.isdigit() for c in serial) >= 3:
            yield m.start(), m.end()


# Order matters: when candidates overlap, the earlier kind wins (an 18-digit ID number with a
# valid check digit is an ID number even if it also passes Luhn).
_FINDERS: tuple[tuple[str, Callable[[str], Iterator[tuple[int, int]]]], ...] = (
    (ID_CARD, _find_id_cards),
    (BANK_CARD, _find_bank_cards),
    (MOBILE, _find_mobiles),
    (LANDLINE, _find_landlines),
    (EMAIL, _find_emails),
    (PLATE, _find_plates),
)


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < t_end and t_start < end for t_start, t_end in taken)


def find_personal_data(text: str, kinds: tuple[str, ...] = KINDS) -> list[Hit]:
    """Personal data in ``text``, in order of position, without overlaps."""
    if not text:
        return []
    probe = to_halfwidth(text)
    taken: list[tuple[int, int]] = []
    hits: list[Hit] = []
    for kind, finder in _FINDERS:
        if kind not in kinds:
            continue
        for start, end in finder(probe):
            if _overlaps(start, end, taken):
                continue
            taken.append((start, end))
            hits.append(Hit(kind, start, end, text[start:end]))
    hits.sort(key=lambda hit: hit.start)
    return hits


def _star_digits(value: str, keep_head: int, keep_tail: int) -> str:
    """Replace digits by '*' except the first ``keep_head`` and last ``keep_tail`` digits."""
    positions = [i for i, c in enumerate(value) if c.isdigit() or c in "Xx"]
    hidden = set(positions[keep_head : len(positions) - keep_tail])
    return "".join("*" if i in hidden else c for i, c in enumerate(value))


def _mask_mobile(value: str) -> str:
    probe = to_halfwidth(value)
    m = _MOBILE_RE.fullmatch(probe) or _MOBILE_RE.search(probe)
    prefix_digits = len(_digits(m.group("prefix") or "")) if m else 0
    return _star_digits(value, prefix_digits + 3, 4)


def _mask_landline(value: str) -> str:
    probe = to_halfwidth(value)
    m = _LANDLINE_RE.search(probe)
    area = (m.group("area") or m.group("area_p")) if m else ""
    return _star_digits(value, len(area or ""), 4 if len(_digits(value)) - len(area) > 4 else 0)


def _mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[0]}***@{domain}"


def _mask_plate(value: str) -> str:
    # Keep the province and city letter (which city) and the last character.
    return value[:2] + "*" * (len(value) - 3) + value[-1]


def mask_value(kind: str, value: str) -> str:
    if kind == MOBILE:
        return _mask_mobile(value)
    if kind == LANDLINE:
        return _mask_landline(value)
    if kind == ID_CARD:
        return _star_digits(value, 4, 3)
    if kind == BANK_CARD:
        return _star_digits(value, 4, 4)
    if kind == EMAIL:
        return _mask_email(value)
    if kind == PLATE:
        return _mask_plate(value)
    raise ValueError(f"unknown personal data kind: {kind}")


def mask(text: str, kinds: tuple[str, ...] = KINDS) -> MaskResult:
    """Text with every personal data hit replaced by a masked hint, and the hits found."""
    hits = find_personal_data(text, kinds)
    if not hits:
        return MaskResult(text, [])
    parts: list[str] = []
    cursor = 0
    for hit in hits:
        parts.append(text[cursor : hit.start])
        parts.append(mask_value(hit.kind, hit.text))
        cursor = hit.end
    parts.append(text[cursor:])
    return MaskResult("".join(parts), hits)
