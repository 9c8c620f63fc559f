"""Personal-data detection and masking for public text.

Personal data is found by its *shape*, not by its validity: an ID number with a wrong check
digit or a card number that fails Luhn is still somebody's number mistyped (or deliberately
altered by one digit), and publishing it is as bad. So:

- 18- and 15-digit ID numbers are found by region code and a birth date in range, whatever the
  check digit; after a cue word (身份证…) any 17 digits plus a digit or X.
- Bank cards are any run of 16-19 digits (grouped by spaces or dashes or not), unless a label
  right before it says it is something else (订单号, 流水号, 编号…) or it starts with a date
  (20240315…: a serial or a time stamp, never a card issuer's prefix).
- Passport numbers by their Chinese shapes (E + 8 digits, E + letter + 7, G + 8), others after
  a cue; social-security numbers after a cue; plates; mobile and landline numbers; e-mail.
- The detail of an exact address below the street: house number, building, unit and room
  (门牌号, 栋, 单元, 室, 号楼) after a road or estate name, or any run naming a building and
  a room. The street itself is kept, the numbers are starred: 枫林三路**号*栋***室.

Text written by staff (a unit's reply, a leader's instruction) is masked with
``author="staff"``: it keeps the unit's official numbers (its landline hotline, official
e-mail, a house number of an office) and masks what belongs to the citizen (mobile, ID, card,
passport and social-security numbers, plates, a home address with building and room, a
landline the text says is the citizen's).

Money amounts (a unit such as 元 right after the number) are never personal data. Matching
runs on a half-width copy of the text; that mapping is one character to one character, so
offsets are valid in the original text and full-width digits (１３８…) are found too.

Masking keeps a hint (138****5678) so moderators can still tell two numbers apart, and replaces
digits by ``*`` in place, keeping separators. A masked value no longer matches any pattern,
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
PASSPORT = "passport"
SOCIAL_SECURITY = "social_security"
PLATE = "plate"
ADDRESS = "address"
KINDS = (MOBILE, LANDLINE, ID_CARD, BANK_CARD, EMAIL, PASSPORT, SOCIAL_SECURITY, PLATE, ADDRESS)

CITIZEN, STAFF = "citizen", "staff"
AUTHORS = (CITIZEN, STAFF)


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
# A dash and a digit go on the number (a suffix, a range); a starred digit counts as a digit,
# or masking part of a text would make the rest look like personal data on the next pass.
_NUM_BEFORE = r"(?<![0-9A-Za-z*_.@-])"
_NUM_AFTER = r"(?![0-9A-Za-z*_@]|[.-][0-9*]|\s*(?:元|万|亿|块|角|美元|平方|米|公斤|吨|㎡))"
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
# A local number without its area code is only a phone number when the text says so.
_LOCAL_LANDLINE_RE = re.compile(
    r"(?:电话|座机|固话|宅电)(?:号码|号)?(?:是|为)?[:：\s]{0,2}"
    r"(?P<number>(?<![0-9A-Za-z*])[2-8][0-9]{6,7})" + _NUM_AFTER
)
_DAY = r"(?:0[1-9]|[12][0-9]|3[01])"
_MONTH = r"(?:0[1-9]|1[0-2])"
_BIRTH_DATE = rf"(?:18|19|20)[0-9]{{2}}{_MONTH}{_DAY}"
_ID18_RE = re.compile(_NUM_BEFORE + rf"[1-9][0-9]{{5}}{_BIRTH_DATE}[0-9]{{3}}[0-9Xx]" + _NUM_AFTER)
_ID18_ANY_RE = re.compile(_NUM_BEFORE + r"[0-9]{17}[0-9Xx]" + _NUM_AFTER)
_ID15_RE = re.compile(
    _NUM_BEFORE + rf"[1-9][0-9]{{5}}[0-9]{{2}}{_MONTH}{_DAY}[0-9]{{3}}" + _NUM_AFTER
)
_BANK_RE = re.compile(
    _NUM_BEFORE + r"(?:(?:[0-9]{4}[ \-]){3}[0-9]{4}(?:[ \-]?[0-9]{1,3})?|[0-9]{16,19})" + _NUM_AFTER
)
# A serial or time stamp starts with a date of this century: 20240315…
_DATE_PREFIX_RE = re.compile(rf"20[0-4][0-9]{_MONTH}{_DAY}")
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+*@-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,12}(?![A-Za-z0-9@-])"
)
_OFFICIAL_EMAIL_RE = re.compile(r"\.gov(?:\.cn)?$", re.IGNORECASE)
# Chinese passports: E + 8 digits, E + letter (not I or O) + 7 digits, the older G + 8 digits.
_PASSPORT_RE = re.compile(
    r"(?<![0-9A-Za-z*_.@-])(?:E[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|G[0-9]{8})(?![0-9A-Za-z*])"
)
_PASSPORT_CUE_RE = re.compile(
    r"(?:护照|passport|通行证|旅行证|签证)(?:号码|号|编号)?(?:是|为)?[:：\s]{0,2}"
    r"(?P<number>(?<![0-9A-Za-z*])[A-Z]{1,2}[0-9]{6,9})(?![0-9A-Za-z*])",
    re.IGNORECASE,
)
_SOCIAL_SECURITY_CUE_RE = re.compile(
    r"(?:社保|社会保障|医保|医疗保险|养老保险|公积金)(?:卡)?(?:号码|号|编号|账号|帐号|个人编号|卡号)"
    r"(?:是|为)?[:：\s]{0,2}"
    r"(?P<number>(?<![0-9A-Za-z*])[A-Za-z]{0,2}[0-9]{6,20}[0-9Xx]?)(?![0-9A-Za-z*])"
)
_PROVINCE_CHARS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_LETTERS = "A-HJ-NP-Z"  # I and O are never used on plates
_PLATE_RE = re.compile(
    rf"[{_PROVINCE_CHARS}](?P<city>[{_PLATE_LETTERS}])[·• \-]?"
    rf"(?P<serial>[{_PLATE_LETTERS}0-9]{{5,6}}|[{_PLATE_LETTERS}0-9]{{4}}[挂学警港澳])"
    r"(?![0-9A-Za-z*])"
)

# --- addresses ---
# What names a street or an estate: the detail right after it is a house or flat number.
_ADDRESS_ANCHOR = (
    r"(?:路|街|巷|大道|弄|胡同|段|村|组|小区|花园|苑|园|公寓|大厦|广场|社区|家园|新城|山庄"
    r"|宿舍|公馆|华庭|名都|府|庭|湾)"
)
_CHINESE_NUMERALS = "一二三四五六七八九十百零〇两"
# A house, building or flat number has at most five digits: a longer run is another number.
_ADDRESS_NUMBER = rf"(?:[0-9]{{1,5}}|[A-Za-z][0-9]{{0,4}}|[{_CHINESE_NUMERALS}]+)(?:-[0-9]{{1,4}})?"
_ADDRESS_UNIT = r"(?:号楼|号院|号|栋|幢|座|单元|楼|层|室)"
_ADDRESS_TOKEN = _ADDRESS_NUMBER + _ADDRESS_UNIT
# "5栋2单元301": a flat number may follow a building or unit without its 室.
_ADDRESS_TAIL = r"(?:(?<=[栋幢座元楼])[0-9]{2,4}(?![0-9A-Za-z*]))?"
_ADDRESS_RUN = rf"(?:{_ADDRESS_TOKEN})+{_ADDRESS_TAIL}"
_ANCHORED_ADDRESS_RE = re.compile(rf"{_ADDRESS_ANCHOR}(?P<detail>{_ADDRESS_RUN})")
# Without a street before it, a run is an address only if it names a building or a room; its
# numbers must be digits (三室一厅 is the size of a flat, not where it is).
_ARABIC_TOKEN = r"(?:[0-9]{1,5}|[A-Za-z][0-9]{0,4})(?:-[0-9]{1,4})?" + _ADDRESS_UNIT
_LOOSE_ADDRESS_RE = re.compile(
    rf"(?<![0-9A-Za-z*第〕\]）)])(?P<detail>(?:{_ARABIC_TOKEN})+{_ADDRESS_TAIL})"
)
_STRONG_UNITS = ("号楼", "栋", "幢", "单元", "室")
# Staff text saying whose home it names.
_HOME_CUE_RE = re.compile(r"(?:您|你)(?:的)?(?:家|住处|住址|住所|房子|所住)|家住|住在")

# GB/T 2260 province-level codes: the first two digits of an ID number.
_PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64"}
    | {"65", "71", "81", "82", "83"}
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_CARD_CUE = (
    r"银行卡|卡号|账号|帐号|储蓄卡|借记卡|信用卡|工资卡|社保卡|银行账户|开户行|银行|账户|帐户|"
    r"转账|汇款|打款|退款|打到|存折|会员卡|卡"
)
_ID_CUE = r"身份证|证件号|公民身份号码|身份号码"
# Labels that say the number right after them is not a person's (order, invoice, case…).
_NOT_PERSONAL_CUE = (
    r"订单|单号|流水号|编号|交易号|运单|快递|工单|受理号|批次|发票|合同号|案号|文号|序列号|"
    r"凭证|业务号|申请号|登记号|证书|准考证|学号|工号|批准|备案|许可证|代码|条码|商品|型号|"
    r"序号|票号|批号|执照|注册号"
)
_CUE_RE = re.compile(rf"(?P<id>{_ID_CUE})|(?P<card>{_CARD_CUE})")
# The label must be right before the number ("订单号：2024…", "发票代码0357…"): a word further
# back ("my order was cancelled, refund to 6222…") says nothing about it.
_LABELLED_NOT_PERSONAL_RE = re.compile(
    rf"(?:{_NOT_PERSONAL_CUE})[\u4e00-\u9fff]{{0,2}}?(?:号码|号)?(?:是|为)?[:：\s]{{0,2}}$"
)
# How far back a card or ID cue word still speaks about a number.
_CUE_WINDOW = 12
# A staff text's own numbers come after these; a citizen's after these others.
_OFFICIAL_CUE_RE = re.compile(
    r"(?:热线|值班|服务电话|咨询电话|办公电话|举报电话|监督电话|投诉电话|客服|传真|联系电话|"
    r"单位电话|办公室电话)[^，。；！？,;!?\n]{0,6}$"
)
_CITIZEN_CUE_RE = re.compile(
    r"(?:(?:您|你)(?:的|留的|预留的|提供的|家)?(?:联系电话|电话|座机|号码|手机|联系方式)|"
    r"(?:联系|致电|回电|电话)(?:了)?您|来电人|反映人|留言人|投诉人|当事人|户主|业主)"
    r"[^，。；！？,;!?\n]{0,8}$"
)


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
    """A real ID number: region, birth date and GB 11643 check digit. Masking does not need
    this (it masks the shape); it is what a form asking for one's own number checks."""
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


def _nearest_cue(text: str, start: int) -> str | None:
    """'id' or 'card': the kind of the last cue word shortly before ``start``."""
    window_start = max(0, start - _CUE_WINDOW)
    last = None
    for m in _CUE_RE.finditer(text, window_start, start):
        last = m.lastgroup
    return last


def _before(text: str, start: int, width: int = 14) -> str:
    return text[max(0, start - width) : start]


def _labelled_not_personal(text: str, start: int) -> bool:
    return bool(_LABELLED_NOT_PERSONAL_RE.search(_before(text, start)))


# --- finders: each yields (start, end) spans in the half-width probe ---------------------


def _find_mobiles(text: str, author: str) -> Iterator[tuple[int, int]]:
    for m in _MOBILE_RE.finditer(text):
        if _labelled_not_personal(text, m.start()):
            continue
        # A unit may publish a duty mobile as its own number: only in its own text.
        before = _before(text, m.start())
        if (
            author == STAFF
            and _OFFICIAL_CUE_RE.search(before)
            and not _CITIZEN_CUE_RE.search(before)
        ):
            continue
        yield m.start(), m.end()


def _find_landlines(text: str, author: str) -> Iterator[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _LANDLINE_RE.finditer(text)]
    spans += [m.span("number") for m in _LOCAL_LANDLINE_RE.finditer(text)]
    for start, end in spans:
        if _labelled_not_personal(text, start):
            continue
        # In staff text a landline is the unit's hotline, unless it says it is the citizen's.
        if author == STAFF and not _CITIZEN_CUE_RE.search(_before(text, start)):
            continue
        yield start, end


def _find_id_cards(text: str, author: str) -> Iterator[tuple[int, int]]:
    for pattern in (_ID18_RE, _ID15_RE):
        for m in pattern.finditer(text):
            if m.group()[:2] in _PROVINCE_CODES and not _labelled_not_personal(text, m.start()):
                yield m.start(), m.end()
    for m in _ID18_ANY_RE.finditer(text):
        if _nearest_cue(text, m.start()) == "id":
            yield m.start(), m.end()


def _find_bank_cards(text: str, author: str) -> Iterator[tuple[int, int]]:
    for m in _BANK_RE.finditer(text):
        digits = _digits(m.group())
        if not 16 <= len(digits) <= 19:
            continue
        if _labelled_not_personal(text, m.start()):
            continue
        if _DATE_PREFIX_RE.match(digits) and _nearest_cue(text, m.start()) is None:
            continue
        yield m.start(), m.end()


def _find_emails(text: str, author: str) -> Iterator[tuple[int, int]]:
    for m in _EMAIL_RE.finditer(text):
        if author == STAFF and _OFFICIAL_EMAIL_RE.search(m.group()):
            continue
        yield m.start(), m.end()


def _find_passports(text: str, author: str) -> Iterator[tuple[int, int]]:
    for m in _PASSPORT_RE.finditer(text):
        yield m.start(), m.end()
    for m in _PASSPORT_CUE_RE.finditer(text):
        yield m.span("number")


def _find_social_security(text: str, author: str) -> Iterator[tuple[int, int]]:
    for m in _SOCIAL_SECURITY_CUE_RE.finditer(text):
        yield m.span("number")


def _find_plates(text: str, author: str) -> Iterator[tuple[int, int]]:
    for m in _PLATE_RE.finditer(text):
        serial = m.group("serial")
        # Real serials are mostly digits; words like 湘AFTER or 京ABCDE are not plates.
        if sum(c.isdigit() for c in serial) >= 3:
            yield m.start(), m.end()


def _is_home(detail: str) -> bool:
    """A flat, not a building: a unit or a room, or a building followed by a number in it
    (3栋502, 31栋103号). Staff text names buildings (3栋楼下的水果店) without meaning a home."""
    if "单元" in detail or "室" in detail:
        return True
    building = max(detail.rfind("栋"), detail.rfind("幢"))
    return building != -1 and building < len(detail) - 1


def _staff_means_a_home(text: str, start: int, detail: str) -> bool:
    return _is_home(detail) or bool(_HOME_CUE_RE.search(_before(text, start, 16)))


def _find_addresses(text: str, author: str) -> Iterator[tuple[int, int]]:
    for m in _ANCHORED_ADDRESS_RE.finditer(text):
        start, detail = m.start("detail"), m.group("detail")
        if author == CITIZEN or _staff_means_a_home(text, start, detail):
            yield m.span("detail")
    for m in _LOOSE_ADDRESS_RE.finditer(text):
        start, detail = m.start("detail"), m.group("detail")
        if author == STAFF:
            wanted = _staff_means_a_home(text, start, detail)
        else:
            wanted = any(unit in detail for unit in _STRONG_UNITS)
        if wanted:
            yield m.span("detail")


# Order matters: when candidates overlap, the earlier kind wins (an 18-digit ID number is an ID
# number even though it has a card number's length).
_Finder = Callable[[str, str], Iterator[tuple[int, int]]]
_FINDERS: tuple[tuple[str, _Finder], ...] = (
    (ID_CARD, _find_id_cards),
    (BANK_CARD, _find_bank_cards),
    (SOCIAL_SECURITY, _find_social_security),
    (PASSPORT, _find_passports),
    (MOBILE, _find_mobiles),
    (LANDLINE, _find_landlines),
    (EMAIL, _find_emails),
    (PLATE, _find_plates),
    (ADDRESS, _find_addresses),
)


# Cheap tests that rule kinds out before their finders' regexes run (most texts hold none of
# them; the finders were most of the time of masking a message). Each is implied by every
# pattern of its kinds: every number kind but plates and addresses has a run of 4 digits,
# an ID number a run of 15, a bank card four groups of 4 digits, an e-mail address an @.
_FOUR_DIGITS_RE = re.compile(r"[0-9]{4}")
_FIFTEEN_DIGITS_RE = re.compile(r"[0-9]{15}")
_CARD_DIGITS_RE = re.compile(r"[0-9]{4}[ \-]?[0-9]{4}[ \-]?[0-9]{4}[ \-]?[0-9]{4}")
_NUMBER_KINDS = frozenset({ID_CARD, BANK_CARD, SOCIAL_SECURITY, PASSPORT, MOBILE, LANDLINE})


def _cannot_hold(probe: str) -> frozenset[str]:
    """The kinds `probe` (half-width text) cannot hold, by the cheap tests above."""
    skip: set[str] = set()
    if "@" not in probe:
        skip.add(EMAIL)
    if not _FOUR_DIGITS_RE.search(probe):
        skip.update(_NUMBER_KINDS)
        return frozenset(skip)
    if not _FIFTEEN_DIGITS_RE.search(probe):
        skip.add(ID_CARD)
    if not _CARD_DIGITS_RE.search(probe):
        skip.add(BANK_CARD)
    return frozenset(skip)


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < t_end and t_start < end for t_start, t_end in taken)


def _check_author(author: str) -> None:
    if author not in AUTHORS:
        raise ValueError(f"unknown author {author!r}: use one of {AUTHORS}")


def find_personal_data(
    text: str, kinds: tuple[str, ...] = KINDS, *, author: str = CITIZEN
) -> list[Hit]:
    """Personal data in ``text``, in order of position, without overlaps."""
    _check_author(author)
    if not text:
        return []
    probe = to_halfwidth(text)
    taken: list[tuple[int, int]] = []
    hits: list[Hit] = []
    skip = _cannot_hold(probe)
    for kind, finder in _FINDERS:
        if kind not in kinds or kind in skip:
            continue
        for start, end in finder(probe, author):
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


def _mask_letters_and_digits(value: str, keep_tail: int) -> str:
    """Star every letter and digit but the last ``keep_tail`` (passport, social security)."""
    positions = [i for i, c in enumerate(value) if c.isalnum()]
    hidden = set(positions[: len(positions) - keep_tail])
    return "".join("*" if i in hidden else c for i, c in enumerate(value))


def _mask_address(value: str) -> str:
    # Every number goes, the words that say what it was (号, 栋, 单元, 室) stay.
    probe = to_halfwidth(value)
    return "".join(
        "*" if (p.isascii() and p.isalnum()) or p in _CHINESE_NUMERALS else c
        for c, p in zip(value, probe, strict=True)
    )


def mask_value(kind: str, value: str) -> str:
    if kind == MOBILE:
        return _mask_mobile(value)
    if kind == LANDLINE:
        if not _LANDLINE_RE.search(to_halfwidth(value)):
            return _star_digits(value, 0, 2)  # a local number without its area code
        return _mask_landline(value)
    if kind == ID_CARD:
        return _star_digits(value, 4, 3)
    if kind == BANK_CARD:
        return _star_digits(value, 4, 4)
    if kind == EMAIL:
        return _mask_email(value)
    if kind in (PASSPORT, SOCIAL_SECURITY):
        return _mask_letters_and_digits(value, 2)
    if kind == PLATE:
        return _mask_plate(value)
    if kind == ADDRESS:
        return _mask_address(value)
    raise ValueError(f"unknown personal data kind: {kind}")


def mask(text: str, kinds: tuple[str, ...] = KINDS, *, author: str = CITIZEN) -> MaskResult:
    """Text with every personal data hit replaced by a masked hint, and the hits found."""
    hits = find_personal_data(text, kinds, author=author)
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


def mask_public(text: str, author: str = CITIZEN) -> str:
    """The public version of ``text`` written by a citizen or by staff (see module doc)."""
    return mask(text, author=author).text
