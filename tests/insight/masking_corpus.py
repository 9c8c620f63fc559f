"""A generated corpus for masking: personal data of every kind in citizen and staff sentences,
and look-alikes that must stay (dates, amounts, case and document numbers, serials, order
numbers, statute numbers, unit hotlines). Generated with a seeded RNG, no downloaded data.

ID and card numbers get random check digits on purpose: masking goes by shape, and about nine
in ten of them are "invalid". Each item is ``(text, gold, category)``: ``gold`` lists the
``(kind, start, end)`` spans that must be masked; a look-alike has none.

Used by bench/insight_masking.py (figures) and tests/insight/test_masking_corpus.py (goal).
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

Item = tuple[str, list[tuple[str, int, int]], str]
Piece = str | tuple[str, str]

PROVINCES = ("11", "12", "13", "31", "32", "33", "35", "37", "42", "43", "44", "45", "50", "51")
CARD_PREFIXES = ("62", "622202", "621700", "622848", "60", "4", "5", "9558", "3568", "6225")
AREA_CODES = ("010", "021", "020", "0731", "0733", "0746", "0755", "0571", "0739")
ROADS = (
    "枫林三路",
    "芙蓉中路二段",
    "五一大道",
    "解放西路",
    "人民东路",
    "黄兴南路",
    "坡子街",
    "太平街",
)
ESTATES = ("丽景小区", "米兰春天", "绿地海外滩", "金色家园", "湘江世纪城", "望月公寓", "梅溪湖花园")
PROVINCE_CHARS = "湘京粤沪浙苏鄂川"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
MAIL_DOMAINS = ("163.com", "qq.com", "126.com", "gmail.com", "sina.com", "139.com", "foxmail.com")

# Contexts with and without a cue word; "{}" alone is a number with nothing around it.
_BARE = ("{}", "（{}）", "{}。", "号码{}谢谢", "请联系：{}", "如上{}，已说明")
CITIZEN_CONTEXTS = {
    "id_card": (
        "我的身份证号{}，请保密",
        "身份证{}",
        "本人{}，户籍在A市",
        "证件号码：{}。",
        *_BARE,
    ),
    "bank_card": ("工资卡号{}", "请把补偿款打到{}", "我的银行卡{}被冻结", "账号：{}", *_BARE),
    "mobile": ("我的电话是{}，请尽快联系", "手机{}，王先生", "联系方式{}。", "请回电{}", *_BARE),
    "landline": ("我家座机{}，白天有人", "家里电话{}", "可拨打{}找我", "固话：{}", *_BARE),
    "email": ("我的邮箱{}", "材料请发到{}，谢谢", "Email: {}", "邮箱（{}）", *_BARE),
    "passport": ("我的护照号{}已过期", "护照{}", "持{}出境", "护照号码：{}", *_BARE),
    "social_security": ("我的社保号{}查不到缴费", "社会保障号码：{}", "医保卡号{}", "公积金账号{}"),
    "plate": ("我的车牌{}被贴条", "我的车{}被拖走了", "车牌号{}是我的车", "我开的{}", *_BARE),
    "address": ("我家住{}，楼下很吵", "住在{}的业主", "家住{}", "地址：{}", "{}", "我在{}住了十年"),
}
STAFF_CONTEXTS = {
    "id_card": ("经核实，您（身份证{}）的申请已受理。", "来电人身份证号{}，已登记"),
    "bank_card": ("补偿款已转入您的银行卡{}。", "已退款至您提供的账户{}"),
    "mobile": ("已电话联系您{}，说明情况。", "工作人员已致电{}与您沟通。"),
    "landline": ("已按您留的电话{}回访。", "我们致电您的座机{}无人接听。"),
    "email": ("答复已发送至您的邮箱{}。", "材料已寄往{}"),
    "passport": ("您的护照{}已办结。", "护照号码{}的补办申请已受理。"),
    "social_security": ("您的社保号{}缴费记录已补齐。", "经查，社会保障号码{}无欠费。"),
    "plate": ("您反映的车牌{}已处罚。", "车主{}已被约谈。"),
    "address": ("已派人到您家{}查看。", "经现场核查{}确有漏水。"),
}
LOOKALIKES = (
    "measurement",
    "code",
    "date",
    "amount",
    "case_number",
    "document_number",
    "serial",
    "order_number",
    "statute",
    "service_number",
    "place_name",
)
STAFF_LOOKALIKES = (*LOOKALIKES, "unit_hotline", "official_email", "office_address")


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _birth(rng: random.Random) -> tuple[int, int, int]:
    return rng.randint(1930, 2020), rng.randint(1, 12), rng.randint(1, 28)


_FULLWIDTH = str.maketrans(string.digits, "０１２３４５６７８９")


def fullwidth_sometimes(rng: random.Random, value: str) -> str:
    """One value in ten typed with a Chinese input method's full-width digits."""
    return value.translate(_FULLWIDTH) if rng.random() < 0.1 else value


def id18(rng: random.Random) -> str:
    year, month, day = _birth(rng)
    check = rng.choice("0123456789X")  # right one time in eleven
    region = rng.choice(PROVINCES) + _digits(rng, 4)
    return f"{region}{year}{month:02d}{day:02d}{_digits(rng, 3)}{check}"


def id15(rng: random.Random) -> str:
    year, month, day = _birth(rng)
    region = rng.choice(PROVINCES) + _digits(rng, 4)
    return f"{region}{year % 100:02d}{month:02d}{day:02d}{_digits(rng, 3)}"


def id_card(rng: random.Random) -> str:
    return id15(rng) if rng.random() < 0.25 else id18(rng)


def bank_card(rng: random.Random) -> str:
    prefix = rng.choice(CARD_PREFIXES)
    number = prefix + _digits(rng, rng.randint(16, 19) - len(prefix))
    style = rng.random()
    if style < 0.2:
        return " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    if style < 0.3:
        return "-".join(number[i : i + 4] for i in range(0, len(number), 4))
    return number


def mobile(rng: random.Random) -> str:
    core = f"1{rng.choice('3456789')}{_digits(rng, 9)}"
    style = rng.random()
    if style < 0.15:
        return f"{core[:3]}-{core[3:7]}-{core[7:]}"
    if style < 0.25:
        return f"+86 {core}"
    return core


def landline(rng: random.Random) -> str:
    area = rng.choice(AREA_CODES)
    local = rng.choice("2345678") + _digits(rng, 7 if len(area) == 3 or rng.random() < 0.7 else 6)
    return rng.choice((f"{area}-{local}", f"({area}){local}", f"{area}{local}"))


def email(rng: random.Random) -> str:
    local = "".join(
        rng.choice(string.ascii_lowercase + string.digits) for _ in range(rng.randint(3, 10))
    )
    return f"{rng.choice(string.ascii_lowercase)}{local}@{rng.choice(MAIL_DOMAINS)}"


def passport(rng: random.Random) -> str:
    letter = rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
    return rng.choice((f"E{_digits(rng, 8)}", f"E{letter}{_digits(rng, 7)}", f"G{_digits(rng, 8)}"))


def social_security(rng: random.Random) -> str:
    return rng.choice(
        (_digits(rng, rng.randint(8, 12)), f"{rng.choice('ABCDHJ')}{_digits(rng, 8)}")
    )


def plate(rng: random.Random) -> str:
    serial = "".join(rng.choice(string.digits) for _ in range(5))
    if rng.random() < 0.3:
        serial = rng.choice(PLATE_LETTERS) + serial[1:]
    if rng.random() < 0.2:
        serial = rng.choice("DF") + _digits(rng, 5)  # new-energy plates have six
    return f"{rng.choice(PROVINCE_CHARS)}{rng.choice(PLATE_LETTERS)}{serial}"


def _address_detail(rng: random.Random, *, home: bool) -> str:
    if rng.random() < 0.1:
        # Written in Chinese numerals after a street: 八十八号三栋
        return rng.choice(("八十八号三栋", "十二号二单元", "三号五栋六零二室", "一百号"))
    parts = []
    if rng.random() < 0.6:
        parts.append(f"{rng.randint(1, 300)}号")
    parts.append(f"{rng.randint(1, 30)}{rng.choice(('栋', '幢', '号楼'))}")
    if rng.random() < 0.5:
        parts.append(f"{rng.randint(1, 6)}单元")
    if home or rng.random() < 0.8:
        parts.append(f"{rng.randint(1, 33)}{rng.randint(1, 8):02d}室")
    return "".join(parts)


def address(rng: random.Random, *, home: bool = False) -> list[Piece]:
    """The street or estate (kept) and its detail (masked)."""
    where = rng.choice(ROADS if rng.random() < 0.5 else ESTATES)
    detail = _address_detail(rng, home=home)
    if not any("0" <= c <= "9" for c in detail):
        where = rng.choice(ROADS)  # Chinese numerals only count after a street
    if home and not any(unit in detail for unit in ("栋", "幢", "单元", "室")):
        detail += f"{rng.randint(101, 2808)}室"
    return [where, ("address", detail)]


GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "id_card": id_card,
    "bank_card": bank_card,
    "mobile": mobile,
    "landline": landline,
    "email": email,
    "passport": passport,
    "social_security": social_security,
    "plate": plate,
}


def _lookalike(rng: random.Random, category: str) -> str:
    year, month, day = rng.randint(2000, 2026), rng.randint(1, 12), rng.randint(1, 28)
    stamp = f"{year}{month:02d}{day:02d}"
    county = rng.choice(("湘0102", "湘0104", "湘01", "粤0304", "京0105"))
    numerals = "一二三四五六七八九"
    if category == "measurement":
        return rng.choice(
            (
                f"身高{rng.randint(150, 190)}cm，体重{rng.randint(40, 99)}kg",
                f"面积{rng.randint(50, 200)}平方米",
                f"版本{rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}",
                f"IP地址192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                f"邮编{rng.choice(('410001', '410005', '100010', '518000'))}",
                f"噪音{rng.randint(60, 99)}分贝，持续{rng.randint(2, 12)}小时",
            )
        )
    if category == "code":
        return rng.choice(
            (
                f"统一社会信用代码91430100MA4L{_digits(rng, 4)}X{rng.randint(0, 9)}",
                f"高铁G{rng.randint(1000, 9999)}次晚点",
                f"航班CZ{rng.randint(1000, 9999)}取消",
                f"营业执照号码{_digits(rng, 15)}",
                f"备案号湘ICP备{_digits(rng, 8)}号",
                f"许可证编号JY{_digits(rng, 14)}",
            )
        )
    if category == "date":
        return rng.choice(
            (
                f"{stamp}提交了材料",
                f"{year}年{month}月{day}日受理",
                f"{year}-{month:02d}-{day:02d}已回复",
                f"{month}月{day}号下午",
                f"时间：{year}.{month}.{day} 09:32",
            )
        )
    if category == "amount":
        return rng.choice(
            (
                f"共计{rng.randint(1000, 99999999)}.{rng.randint(0, 99):02d}元",
                f"补偿{rng.randint(1000, 99999999)}元",
                f"拖欠工资{rng.randint(1, 999)}万元",
                f"合同金额{rng.randint(10**15, 10**18)}元",
            )
        )
    if category == "case_number":
        return rng.choice(
            (
                f"案号({year}){county}民初{rng.randint(1, 9999)}号",
                f"〔{year}〕{county}行终{rng.randint(1, 999)}号",
                f"（{year}）{county}执{rng.randint(1, 9999)}号已执行",
            )
        )
    if category == "document_number":
        return rng.choice(
            (
                f"长政发〔{year}〕{rng.randint(1, 99)}号文件",
                f"湘政办函[{year}]{rng.randint(1, 199)}号",
                f"根据第{rng.randint(1, 99999)}号公告",
            )
        )
    if category == "serial":
        return rng.choice(
            (
                f"受理编号{stamp}{_digits(rng, 6)}",
                f"留言编号LY{stamp}{_digits(rng, 4)}",
                f"{stamp}{_digits(rng, 6)}号留言",
                f"工单{stamp}{_digits(rng, 8)}",
            )
        )
    if category == "order_number":
        return rng.choice(
            (
                f"订单号{stamp}{_digits(rng, rng.randint(8, 12))}已退款",
                f"快递单号SF{_digits(rng, 13)}",
                f"交易流水号{stamp}{_digits(rng, 12)}",
                f"{stamp}{_digits(rng, rng.randint(8, 11))}这笔订单",
                f"发票号码{_digits(rng, 8)}，发票代码{_digits(rng, 12)}",
            )
        )
    if category == "statute":
        a, b = rng.choice(numerals), rng.choice(numerals)
        return rng.choice(
            (
                f"依据《信访工作条例》第{a}百{b}十条",
                f"第{rng.randint(1, 300)}条第{b}款",
                f"《民法典》第{rng.randint(1000, 1260)}条",
            )
        )
    if category == "service_number":
        return rng.choice(
            ("请拨打12345市长热线", "已拨打110报警", "拨打12315投诉", "120急救", "12319城建热线")
        )
    if category == "place_name":
        return rng.choice(
            (
                f"地铁{rng.randint(1, 9)}号线{rng.randint(1, 8)}号出口",
                f"{rng.choice(ESTATES)}门口",
                f"{rng.choice(ROADS)}与{rng.choice(ROADS)}交汇处",
                f"{rng.randint(1, 20)}号窗口",
                "三室一厅的房子",
            )
        )
    if category == "unit_hotline":
        area = rng.choice(AREA_CODES)
        local = rng.choice("2345678") + _digits(rng, 7)
        return rng.choice(
            (
                f"如有疑问请拨打{area}-{local}",
                f"咨询电话：{area}-{local}",
                f"联系电话{area}{local}。",
                f"可拨打我局服务热线{area}-{local}或12345",
            )
        )
    if category == "official_email":
        office = rng.choice(("xfj", "zwfw", "jtj"))
        return f"材料请发送至{office}@{rng.choice(('changsha', 'hunan', 'yuelu'))}.gov.cn"
    if category == "office_address":
        return rng.choice(
            (
                f"请到{rng.choice(ROADS)}{rng.randint(1, 300)}号办理",
                f"市政务服务中心{rng.randint(1, 9)}号楼",
                f"地址：{rng.choice(ROADS)}{rng.randint(1, 300)}号",
            )
        )
    raise ValueError(category)


def _assemble(pieces: list[Piece]) -> tuple[str, list[tuple[str, int, int]]]:
    text, gold = "", []
    for piece in pieces:
        if isinstance(piece, tuple):
            kind, value = piece
            gold.append((kind, len(text), len(text) + len(value)))
            text += value
        else:
            text += piece
    return text, gold


def _sentence(rng: random.Random, context: str, value: list[Piece]) -> tuple[str, list]:
    head, _, tail = context.partition("{}")
    return _assemble([head, *value, tail])


def corpus(author: str, *, per_kind: int = 200, seed: int = 11) -> list[Item]:
    """``per_kind`` strings of every kind and of every look-alike category."""
    rng = random.Random(f"{seed}-{author}")
    contexts = STAFF_CONTEXTS if author == "staff" else CITIZEN_CONTEXTS
    items: list[Item] = []
    for kind, templates in contexts.items():
        for _ in range(per_kind):
            if kind == "address":
                value = address(rng, home=author == "staff")
            else:
                value = [(kind, fullwidth_sometimes(rng, GENERATORS[kind](rng)))]
            text, gold = _sentence(rng, rng.choice(templates), value)
            items.append((text, gold, kind))
    for category in STAFF_LOOKALIKES if author == "staff" else LOOKALIKES:
        for _ in range(per_kind):
            items.append((_lookalike(rng, category), [], category))
    return items


def score(items: list[Item], author: str) -> dict:
    """Per kind: gold spans masked (a hit of any kind covers them) and hits that are right (they
    overlap a gold span); per look-alike category: strings wrongly touched."""
    from collections import Counter

    from liuyan.insight.masking import find_personal_data

    gold_total, gold_found = Counter(), Counter()
    hits_total, hits_right = Counter(), Counter()
    touched, misses, false_hits = Counter(), [], []
    for text, gold, category in items:
        hits = find_personal_data(text, author=author)
        for kind, start, end in gold:
            gold_total[kind] += 1
            if any(h.start <= start and end <= h.end for h in hits):
                gold_found[kind] += 1
            else:
                misses.append((kind, text))
        for hit in hits:
            hits_total[hit.kind] += 1
            if any(hit.start < end and start < hit.end for _, start, end in gold):
                hits_right[hit.kind] += 1
            else:
                false_hits.append((hit.kind, hit.text, text))
        if not gold and hits:
            touched[category] += 1
    return {
        "gold_total": gold_total,
        "gold_found": gold_found,
        "hits_total": hits_total,
        "hits_right": hits_right,
        "touched": touched,
        "misses": misses,
        "false_hits": false_hits,
    }


def recall_precision(result: dict, kind: str) -> tuple[float, float]:
    total, found = result["gold_total"][kind], result["gold_found"][kind]
    hits, right = result["hits_total"][kind], result["hits_right"][kind]
    return (found / total if total else 1.0), (right / hits if hits else 1.0)
