"""Places named in a message: regions (A市 A2区 暮云街道) and specific places (a residential
compound, road, school, hospital, company or project, metro line, park).

Hot issues are grouped by place first, so a place has to be found reliably and the variants of
one name must compare equal: "A市A2区丽发新城", "丽发新城小区" and "暮云街道丽发新城社区" are
the same compound. The extraction is rule based rather than a trained tagger because the rules
are what a reader checks: a place is a short name followed by a place word (小区, 路, 小学 …);
the words in front of it that are not part of the name (regions, verbs such as 位于/距离,
determiners such as 本/该) are cut off, and what is left must still look like a name.

Nothing here knows the names of a particular data set; the word lists are ordinary Chinese
place words, administrative units and function words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from liuyan.insight.text import normalize, segmenter

_CJK = r"\u4e00-\u9fff"
_NAME_CHAR = rf"[{_CJK}A-Za-z0-9]"
MAX_NAME = 10  # characters in front of the place word that may belong to the name
# Name variants (name_variants): the shortest names that may differ by one character or by
# two swapped, and the characters that tell places of one family apart, never a misspelling.
VARIANT_MIN_CHARS = 4
SWAP_MIN_CHARS = 3
_VARIANT_CHAR = re.compile(
    rf"(?![零〇一二两三四五六七八九十百千万几多首东南西北中上下前后左右内外])[{_CJK}]"
)

# Place words by kind. The rank says how specific the kind is: a compound or a school names one
# site, a road runs past many sites, a metro line crosses the city. When a message names several
# places the most specific one is its place ("看云路润芳园小区的烧烤摊" is about the compound).
COMPOUND, SITE, AREA, ROAD, LINE = "compound", "site", "area", "road", "line"
_RANK = {COMPOUND: 4, SITE: 3, AREA: 3, ROAD: 2, LINE: 1}
_SUFFIXES: dict[str, str] = {
    # residential compounds and villages
    "小区": COMPOUND,
    "花园": COMPOUND,
    "家园": COMPOUND,
    "华庭": COMPOUND,
    "华府": COMPOUND,
    "公寓": COMPOUND,
    "新村": COMPOUND,
    "新城": COMPOUND,
    "公馆": COMPOUND,
    "山庄": COMPOUND,
    "名苑": COMPOUND,
    "苑": COMPOUND,
    "园": COMPOUND,
    "城": COMPOUND,
    "湾": COMPOUND,
    "郡": COMPOUND,
    "大厦": COMPOUND,
    "社区": COMPOUND,
    "村": COMPOUND,
    # schools, hospitals, companies, projects, markets
    "小学": SITE,
    "中学": SITE,
    "大学": SITE,
    "学院": SITE,
    "学校": SITE,
    "幼儿园": SITE,
    "医院": SITE,
    "卫生院": SITE,
    "公司": SITE,
    "集团": SITE,
    "工厂": SITE,
    "厂": SITE,
    "项目": SITE,
    "市场": SITE,
    "商场": SITE,
    "酒店": SITE,
    "宾馆": SITE,
    "工业园": SITE,
    "园区": SITE,
    "产业园": SITE,
    "中心": SITE,
    # parks and open spaces
    "公园": AREA,
    "广场": AREA,
    "湿地": AREA,
    "景区": AREA,
    # roads and bridges
    "大道": ROAD,
    "路": ROAD,
    "街": ROAD,
    "巷": ROAD,
    "大桥": ROAD,
    "隧道": ROAD,
    "立交": ROAD,
}
# Longest first so that 幼儿园 wins over 园 and 新城 over 城 at the same end position.
_SUFFIX_ALTERNATION = "|".join(sorted(map(re.escape, _SUFFIXES), key=len, reverse=True))
# A place word is not one when the next character makes it part of a longer common word:
# 街道 is a sub-district, 城市/城区/城管 are not towns, 村民/村委 are people, 园区 is kept whole
# by the longer suffixes, 路口/路段 still name the road so they are allowed.
_NOT_FOLLOWED_BY = r"(?!道|市|区|管|乡|镇|际|民|委|长|畔)"
# Place words are found first and the name is read backwards from them: much cheaper than a
# pattern that tries a name at every position. The lookahead on the first characters lets the
# regex engine skip most positions without trying every alternative.
_FIRST_CHARS = "".join(sorted({suffix[0] for suffix in _SUFFIXES}))
_SUFFIX_RE = re.compile(
    rf"(?=[{_FIRST_CHARS}])(?:{_SUFFIX_ALTERNATION}){_NOT_FOLLOWED_BY}(?:小区|社区)?"
)
_NAME_RUN_END = re.compile(rf"{_NAME_CHAR}{{1,{MAX_NAME}}}$")
# Metro lines: 地铁3号线, 轨道交通7号线, or a bare 3号线; a bus line (公交/巴士7号线) is none.
_METRO = re.compile(r"(?:地铁|轨道交通|轨道)?(?<!巴士)(?<!公交)(?<!专线)(?<!路)(\d{1,2})号线")

# Administrative regions. The data set anonymises them (A市, A1区, K3县); real text has 长沙市,
# 岳麓区, 暮云街道, 春华镇. They are kept apart from the specific place: an issue's place reads
# region + place, but two messages about 丽发新城 are about the same compound whether or not
# they say A2区 first.
_ANON_REGION = r"[A-Z]\d*(?:市|区|县)"
# 小区/社区/园区/片区 end in 区 but are not districts.
_NAMED_REGION = rf"[{_CJK}]{{2,4}}?(?:省|市|(?<![小社园片城景校厂营])区|县|街道|镇|乡)"
_REGION_RUN = re.compile(rf"(?:{_ANON_REGION})+")
_NAMED_REGION_RE = re.compile(_NAMED_REGION)
_ENDS_WITH_REGION = re.compile(r"(?<![小社园片城景校厂营])[省市区县]$")
_ANY_REGION = re.compile(rf"{_ANON_REGION}|{_NAMED_REGION}")
_LEADING_ANON = re.compile(rf"^(?:{_ANON_REGION})+")

# Words in front of a name that belong to the sentence, not the name: the name starts after the
# last of them. Single characters are only those that practically never occur inside a name.
_CUT_BEFORE = re.compile(
    r"(?:距离|位于|关于|对于|由于|附近|周边|旁边|对面|门口|隔壁|靠近|紧邻|毗邻|临近|沿线|"
    r"反映|投诉|举报|建议|咨询|请求|要求|希望|恳请|询问|问问|督促|解决|处理|整治|取缔|"
    r"以及|还有|包括|通过|经过|前往|进入|到达|来到|住在|居住|就读|位置|区域|地段|片区|"
    r"修建|新建|扩建|改建|兴建|设置|设立|开设|开办|搬迁|占用|拆除|关闭|入驻|引进|"
    r"以东|以西|以南|以北|本人|系|地处|坐落|座落|地址|住址|一名|一位|普通|找过|去过|问过|"
    r"加快|加强|推进|推动|启动|完善|优化|改造|整治|治理|尽快|关注|重视|落实|调查|查处|规范|"
    r"监管|承诺|倡导|支持|反对|拯救|违规|违法|非法|私自|擅自|强行|强制|操作|"
    r"\d+号线|\d+(?:号|栋|幢|楼|单元|室|期)|栋|幢|单元|"
    # Single characters that practically never occur inside a name (和, 向, 于 do: 禧和路).
    r"的|了|在|是|被|把|将|从|对|为|与|及|或|等|距|往|至|很|太|都|也|就|"
    r"没|不|未|宜|应|请|给|让|这|那|我|你|他|她|们|吗|呢|啊|吧|说|要|能|可|已|"
    r"即|又|再|才|仍|却|并|而|且|但|则|"
    r"[,.;:!?、()\"'])"
)
# Determiners and generic modifiers: "本小区", "该公司", "老旧小区" name no particular place.
_GENERIC_STEM = re.compile(
    r"^(?:本|该|此|每|各|全|整个|上述|上面|以上|前述|国家|国际|城市|商业|服务|实验|有限|股份|登记|办事|政务|其他|其它|多个|一个|几个|某|某某|所在|所属|相关|当地|本地|"
    r"周围|周边|附近|老旧|老|新建|新|大|小|上|下|城市|城区|农村|市区|县城|城中|乡镇|"
    r"企业|单位|机关|部队|政府|区属|市属|县属|省属|水泥|柏油|沥青|砂石|泥巴|泥土|通村|通组|村组|"
    r"物业|开发|房地产|地产|建筑|施工|劳务|中介|租赁|装修|家政|快递|外卖|出租车|公交|"
    r"安置|还建|拆迁|保障|商品|回迁|廉租|公租|职工|宿舍|住宅|居民|业主|私立|公立|民办|"
    r"国有|国营|私营|民营|上市|网络|科技|管理|服务|一|二|三|四|五|六|七|八|九|十|\d)+"
)
# Common words that end in a place word but are not places (道路 road in general, 思路 idea,
# 农村 the countryside, 县城 the county town).
_COMMON_WORD_END = re.compile(
    r"(?:十字路|丁字路|岔路|过街|沿街|上街|道路|公路|铁路|马路|线路|思路|出路|套路|网路|电路|水路|走路|进路|退路|门路|跑路|"
    r"农村|乡村|山村|全村|本村|该村|我村|邻村|进城|县城|省城|主城|全城|满城|古城)$"
)
# Place words standing alone: a kind of place, not a named one.
_GENERIC_WORD = re.compile(
    r"(?:家园|校园|田园|庄园|乐园|菜园|果园|花园|公园|园林|陵园|工厂|项目|工程|市场|商场|"
    r"公司|集团|学校|医院|社区|小区|大学|学院|新城|新村|大厦|广场|大道|园区)"
)
# Trailing words that are part of how people refer to the place but not of its identity:
# 丽发新城小区 = 丽发新城社区 = 丽发新城; 泉星公园项目 = 泉星公园.
_IDENTITY_SUFFIX = re.compile(r"(?:小区|社区|项目|工程|一期|二期|三期|四期|片区)+$")


@dataclass(frozen=True, slots=True)
class Place:
    name: str  # as written, without region: 丽发新城小区
    key: str  # identity for comparison: 丽发新城
    kind: str
    position: int  # where in the text it starts
    within: str = ""  # key of the place written right in front of it (看云路 for 看云路润芳园)

    @property
    def rank(self) -> int:
        return _RANK[self.kind]


_UNIT = re.compile(r"([A-Z])(\d*)(市|区|县)")


def regions_conflict(a: str, b: str) -> bool:
    """Whether two anonymised region prefixes cannot be the same area: different cities (A市,
    B市) or different districts and counties (A2区, A7县, A9市 with a number is county level).
    A missing level is no conflict: A市 is compatible with A市A2区."""
    units_a, units_b = _UNIT.findall(a), _UNIT.findall(b)
    cities_a = {u[0] for u in units_a}
    cities_b = {u[0] for u in units_b}
    if cities_a and cities_b and not cities_a & cities_b:
        return True
    districts_a = {"".join(u) for u in units_a if u[1] or u[2] != "市"}
    districts_b = {"".join(u) for u in units_b if u[1] or u[2] != "市"}
    return bool(districts_a and districts_b and not districts_a & districts_b)


# Common words that end like a region but name none: 家乡 (home town), 城乡, 全省, 本市 …
_NOT_A_REGION = re.compile(
    r"(?:家乡|故乡|城乡|下乡|老乡|返乡|回乡|同乡|外省|本省|全省|外市|本市|全市|外县|本县|全县|"
    r"本区|全区|城区|市区|街道办|乡镇)$"
)


def region_of(text: str) -> str:
    """The most specific region prefix such as A市A1区 (consecutive region names joined)."""
    match = _REGION_RUN.search(text)
    if match:
        return match.group()
    for match in _NAMED_REGION_RE.finditer(text):
        # The lazy match may start inside the sentence (本人系春华镇): keep what follows the
        # last sentence word, if a region name is left.
        region = match.group()
        for cut in _CUT_BEFORE.finditer(region):
            region = match.group()[cut.end() :]
        if len(region) >= 3 and not _NOT_A_REGION.search(region):
            return region
    return ""


def _strip_front(candidate: str) -> str:
    """The name part of a candidate: sentence words and regions in front of it cut off."""
    previous = None
    while candidate != previous:
        previous = candidate
        cuts = list(_CUT_BEFORE.finditer(candidate))
        if cuts and cuts[-1].end() < len(candidate):
            candidate = candidate[cuts[-1].end() :]
        # A lone 省 in front is the tail of a province cut off by the length limit (西地省).
        if len(candidate) > 3 and candidate[0] == "省":
            candidate = candidate[1:]
        # Drop everything up to the last region that leaves a name behind it:
        # 暮云街道丽发新城 -> 丽发新城, 春华镇金鼎村 -> 金鼎村; 新安社区 alone stays.
        for region in _ANY_REGION.finditer(candidate):
            if len(candidate) - region.end() >= 3:
                candidate = candidate[region.end() :]
                break
    return candidate


def place_key(name: str) -> str:
    """The identity of a place name: region prefix and trailing 小区/社区/项目 removed."""
    name = _LEADING_ANON.sub("", normalize(name))
    stripped = _IDENTITY_SUFFIX.sub("", name)
    # Keep the suffix when removing it would leave a bare stem (a 3-character 金鹰小区 keeps its
    # key 金鹰; 小区 alone is no key at all).
    return stripped if len(stripped) >= 2 else name


_BY_LENGTH = sorted(_SUFFIXES, key=len, reverse=True)


def _split_suffix(name: str) -> tuple[str, str | None]:
    """(stem, kind): 丽发新城小区 -> (丽发, compound); the trailing 小区/社区 of a named compound
    is read through to the place word in front of it."""
    base = _IDENTITY_SUFFIX.sub("", name)
    for candidate in (base, name) if base and base != name else (name,):
        for suffix in _BY_LENGTH:
            if candidate.endswith(suffix) and len(candidate) > len(suffix):
                return candidate[: -len(suffix)], _SUFFIXES[suffix]
    return name, None


def _is_name(name: str, stem: str) -> bool:
    if _COMMON_WORD_END.search(name) or _GENERIC_WORD.fullmatch(name):
        return False
    # A name needs at least two characters in front of the place word (丽发新城, 看云路), and
    # not only determiners or generic words: 临路, 本小区, 老旧小区, 物业公司 are no names.
    # A region right in front of a place word (属下区中学, 星沙区医院) makes "a school of that
    # district", not a name.
    # A region in front with too little behind it is a region and a place word, not a name
    # (A市长郡 is 长郡 cut short).
    # A stem ending in a conjunction is two things joined (物业和社区), not a name.
    if stem.endswith(("和", "与", "及", "或")):
        return False
    region = _LEADING_ANON.match(name)
    if region and len(name) - region.end() < 3:
        return False
    return (
        len(stem) >= 2 and not _GENERIC_STEM.fullmatch(stem) and not _ENDS_WITH_REGION.search(stem)
    )


def _word_bounds(text: str) -> set[int]:
    """Offsets in ``text`` where one word ends and the next begins, as segmented with the
    dictionary only (no guessing of unknown words, which would glue a name to its neighbour)."""
    bounds, offset = {0}, 0
    for word in segmenter().cut(text, False):
        offset += len(word)
        bounds.add(offset)
    return bounds


def _ends_a_word(text: str, end: int, bounds: set[int]) -> bool:
    """Whether a name may end at ``end``: a word ends there, or what follows is a word by
    itself (城 + 楼板开裂 segments as 城楼 + 板, yet 楼板 is a word; 湾 + 畔小区 is not)."""
    if end in bounds or end >= len(text):
        return True
    following = segmenter().cut(text[end : end + 6], False)
    return bool(following) and len(following[0]) >= 2


def whole_in(name: str, text: str) -> bool:
    """Whether ``name`` occurs in ``text`` as whole words: starting and ending between two
    words of the text as segmented (see :func:`_word_bounds`)."""
    start = text.find(name)
    if start < 0:
        return False
    bounds = _word_bounds(text)
    while start >= 0:
        if start in bounds and _ends_a_word(text, start + len(name), bounds):
            return True
        start = text.find(name, start + 1)
    return False


@lru_cache(maxsize=50_000)
def _places(text: str) -> tuple[Place, ...]:
    found: list[Place] = []
    end = 0
    bounds = _word_bounds(text)
    for match in _SUFFIX_RE.finditer(text):
        run = _NAME_RUN_END.search(text, max(end, match.start() - MAX_NAME), match.start())
        end = match.end()
        if run is None:
            last = found[-1] if found else None
            if last and last.position + len(last.name) == match.start() and match.end() in bounds:
                # Place words in a row: 北辰中心 + 医院 is one name, 北辰中心医院.
                name = last.name + match.group()
                found[-1] = Place(
                    name,
                    place_key(name),
                    _split_suffix(name)[1] or last.kind,
                    last.position,
                    last.within,
                )
            continue
        name = _strip_front(run.group() + match.group())
        # A name begins and ends between two words of the text as the dictionary segments it:
        # 城 in 城轨 or 湾 in 湾畔 ends no name, and 低于路 or 随着城 begin inside a word (低于,
        # 随着), so the name starts after it. A name the dictionary does not know is split
        # into single characters and may begin at any of them.
        if not _ends_a_word(text, match.end(), bounds):
            continue
        start = match.end() - len(name)
        while start not in bounds:
            start += 1
        name = text[start : match.end()]
        stem, kind = _split_suffix(name)
        if kind is None or not _is_name(name, stem):
            continue
        previous = found[-1] if found else None
        if (
            previous
            and previous.position + len(previous.name) == start
            and previous.kind != SITE
            and _RANK[kind] >= previous.rank
        ):
            # A place written right after a less or equally specific one is inside it or located
            # by it: 伊景园滨河苑 (a phase of 伊景园), 禧和路垃圾分拣中心 (the one on 禧和路).
            # One place named by both, so that the same kind of site on another road stays a
            # different place. (金鼎村水泥路 is not: a road is not inside a village; nor is a
            # company's project inside the company.)
            found.pop()
            name, start, within = previous.name + name, previous.position, previous.key
        else:
            within = ""
        key = place_key(name)
        if any(p.key == key for p in found):
            continue
        found.append(Place(name, key, kind, start, within))
    for match in _METRO.finditer(text):
        line = f"地铁{match.group(1)}号线"
        if all(p.key != line for p in found):
            found.append(Place(line, line, LINE, match.start()))
    return tuple(sorted(found, key=lambda p: p.position))


def places_in(text: str, *, normalized: bool = False) -> list[Place]:
    """Specific places named in ``text``, in reading order, each once (by key)."""
    return list(_places(text if normalized else normalize(text)))


def specific_places(text: str) -> list[str]:
    """Names of the specific places in ``text`` in reading order, without region names."""
    return [p.name for p in places_in(text)]


def most_specific(places: list[Place]) -> Place | None:
    """The place a message is about: the most specific kind, the first named among equals."""
    if not places:
        return None
    return max(places, key=lambda p: (p.rank, -p.position))


def main_place(title: str, body: str = "", *, body_chars: int = 200) -> str:
    """Region plus the most specific place, title first: e.g. A市A2区景蓉华苑."""
    title, body = normalize(title), normalize(body)
    region = region_of(title) or region_of(body)
    place = most_specific(places_in(title)) or most_specific(places_in(body[:body_chars]))
    if place is None:
        return region
    return f"{region}{place.name}" if region and region not in place.name else place.name


def same_place(a: str, b: str) -> bool:
    """Whether two place keys name the same entity: equal, or one contains the other whole
    (海外滩 / 绿地海外滩, 看云路 / 梅溪湖看云路), as long as the shorter is a name on its own."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 3 and short in long and long.endswith(short[-1])


def name_variants(a: str, b: str) -> bool:
    """Whether two place or organisation names may be one name written two ways: of the same
    length, with one Chinese character replaced by another (星沙中茂城 / 星沙中贸城, a
    homophone picked from the input method's list; at least ``VARIANT_MIN_CHARS`` characters)
    or two neighbouring Chinese characters swapped (宏泰实业 / 泰宏实业; at least
    ``SWAP_MIN_CHARS``). The last character, the kind of the name (城, 路, 村, 司), is the
    same, and what tells two places of one family apart never differs: a digit or letter (3号线
    / 4号线), a numeral or an order (一期 / 三期, 楚雅二医院 / 楚雅三医院), a direction (人民东路
    / 人民中路). Names of three characters one apart are too often two places (万国城 /
    万科城, 云塘路 / 凉塘路). Even so two names may still be two places: this says only that
    they may be one, and the caller must ask for more (a close problem, one area)."""
    if a == b or len(a) != len(b) or len(a) < SWAP_MIN_CHARS or a[-1] != b[-1]:
        return False
    differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if not all(_VARIANT_CHAR.fullmatch(a[i]) and _VARIANT_CHAR.fullmatch(b[i]) for i in differ):
        return False
    if len(differ) == 1:
        return len(a) >= VARIANT_MIN_CHARS
    first, second = differ if len(differ) == 2 else (0, 0)
    return second == first + 1 and a[first] == b[second] and a[second] == b[first]


def is_road(name: str) -> bool:
    """Whether a place name or key names a road (凉塘路, 万家丽南路, 湘江大道)."""
    return _split_suffix(name)[1] == ROAD


def name_stem(name: str) -> str:
    """A name without its place word: 丽发新城 -> 丽发, 丽发新城小区 -> 丽发."""
    return _split_suffix(name)[0]


def stem_variant(short: str, long: str) -> bool:
    """Whether ``short`` may be the name ``long`` written without its place word: the key of
    丽发小区 is 丽发, and 丽发新城 is 丽发 with the place word 新城 (a writer says 丽发小区 for
    the 丽发新城 compound). Only a compound's place word, and a bare ``short`` (one with no place
    word of its own). Like :func:`name_variants` this says only that they may be one: 阳光小区
    and 阳光新城 may be two estates, and the caller must ask for more (a close problem, one
    area)."""
    stem, kind = _split_suffix(long)
    return (
        kind == COMPOUND
        and stem == short
        and len(short) >= 2
        and _split_suffix(short)[1] is None
        and not _GENERIC_STEM.fullmatch(short)
    )


# Names learned from the window (known_names_in): the shortest name looked for, and the kinds.
KNOWN_MIN_CHARS = 4
_KNOWN_KINDS = (COMPOUND, SITE)


def bare_name(place: Place) -> bool:
    """Whether a place's key is a name without a place word (南山十里天池 of 南山十里天池小区,
    绿地海外滩 of 绿地海外滩项目): the name of an estate, company or project that a writer may
    just as well write alone, where the rules find no place ("投诉A市南山十里天池开发商")."""
    return (
        place.kind in _KNOWN_KINDS
        and len(place.key) >= KNOWN_MIN_CHARS
        and _split_suffix(place.key)[1] is None
        and not place.key[0].isdigit()
    )


def _name_starts(text: str) -> set[int]:
    """Where a name may begin in ``text``: at its start, after a region (A市, 暮云街道) and after
    a sentence word (投诉, 的, punctuation): the places :func:`_strip_front` cuts a name at."""
    starts = {0}
    starts.update(match.end() for match in _REGION_RUN.finditer(text))
    starts.update(match.end() for match in _NAMED_REGION_RE.finditer(text))
    starts.update(match.end() for match in _CUT_BEFORE.finditer(text))
    return starts


def known_names_in(text: str, known: dict[str, str], longest: int) -> list[Place]:
    """Places of ``text`` written without a place word whose names the window knows:
    ``known`` maps a bare name (see :func:`bare_name`) that other messages write with one
    (南山十里天池小区) to its kind, ``longest`` is the length of its longest name. A name is
    taken where a name may begin (after a region or a sentence word, see
    :func:`_name_starts`), the longest known one there, as whole words of the text as
    segmented ("严重影响" is no name, and a known 天池 would not be found in 天池路). ``text`` is
    normalised."""
    places: list[Place] = []
    bounds: set[int] | None = None
    for start in sorted(_name_starts(text)):
        for end in range(min(len(text), start + longest), start + KNOWN_MIN_CHARS - 1, -1):
            name = text[start:end]
            kind = known.get(name)
            if kind is None:
                continue
            if bounds is None:
                bounds = _word_bounds(text)
            if start in bounds and _ends_a_word(text, end, bounds):
                if all(p.key != name for p in places):
                    places.append(Place(name, name, kind, start))
                break
    return places
