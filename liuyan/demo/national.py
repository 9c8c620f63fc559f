"""The load-test world: the demo directory grown with the number of messages, like the real one.

A national platform at ten million messages has about 20,000 units in all 31 provinces, thousands
of leaders' boards and a million citizens who wrote. A load test that put ten million messages
into the hand-written demo world (65 units, 64 boards, 300 citizens) would give every unit's
inbox and every board's list 150,000 of them and flatter or ruin every page for the wrong reason.
So a load of N messages (counting those already there) grows the world to

- units:    N / MESSAGES_PER_UNIT    (20,000 at 10M; never fewer than the demo world's own),
- citizens: N / MESSAGES_PER_CITIZEN (1,000,000 at 10M),

taking whole regions from the directory (``load-regions``: every province, prefecture and
county) in an order that covers every province first, then one prefecture of each province after
another, then one county of each prefecture after another. Every region built gets its
government office with the leaders' boards of its posts and the bureaus of its level, each staffed
by handlers and a head. Boards grow with the regions: about 3,600 when every county is built.

The demo world itself (two provinces, named accounts, ``make demo``) is left exactly as it was;
the regions it built are skipped. Below about 33,000 messages nothing is added.

Built for speed (a million citizens in well under a minute of database work): units, boards,
staff and memberships with bulk_create, citizens with COPY (PostgreSQL) or executemany (SQLite);
every generated account shares the demo password's single hash. Personal data stays encrypted at
rest like everywhere else: each citizen's phone number is unique (the keyed hash is a unique
column), so it is encrypted row by row, on every core; the real name is drawn from a pool of
REAL_NAMES names whose tokens are encrypted once (a Fernet token decrypts wherever it is stored).
"""

from __future__ import annotations

import multiprocessing
import os
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from liuyan.accounts import crypto
from liuyan.directory.models import Board, Domain, Membership, Region, Unit

from . import bulk
from .text import TextGenerator

MESSAGES_PER_UNIT = 500
MESSAGES_PER_CITIZEN = 10
REAL_NAMES = 4096  # a pool of real names, encrypted once each
CITIZEN_BATCH = 50_000
# The demo world's citizens (world.CITIZENS) keep their numbers; generated ones follow.
CITIZEN_PHONE_PREFIX = "139"

# (name, first-level domains, needs the head's sign-off); the office (all domains) comes first.
PROVINCE_UNITS = (
    ("住房和城乡建设厅", ("城乡建设",), True),
    ("教育厅", ("教育文体",), False),
    ("人力资源和社会保障厅", ("劳动和社会保障",), False),
    ("生态环境厅", ("环境保护",), False),
)
PROVINCE_BODY_BOARDS = ("住房和城乡建设厅", "教育厅")
PREFECTURE_UNITS = (
    ("住房和城乡建设局", ("城乡建设",), True),
    ("教育局", ("教育文体",), True),
    ("人力资源和社会保障局", ("劳动和社会保障",), False),
    ("生态环境局", ("环境保护",), False),
    ("交通运输局", ("交通运输",), False),
    ("卫生健康委员会", ("卫生计生",), False),
    ("城市管理和综合执法局", ("城乡建设",), False),
    ("公安局", ("政法",), False),
)
# (name, domains, sign-off, the prefecture bureau above it)
COUNTY_UNITS = (
    ("住房和城乡建设局", ("城乡建设",), False, "住房和城乡建设局"),
    ("教育局", ("教育文体",), False, "教育局"),
    ("人力资源和社会保障局", ("劳动和社会保障",), False, "人力资源和社会保障局"),
    ("公安局", ("政法",), False, "公安局"),
    ("卫生健康局", ("卫生计生",), False, "卫生健康委员会"),
)
_TEMPLATES = {
    Region.Level.PROVINCE: PROVINCE_UNITS,
    Region.Level.PREFECTURE: PREFECTURE_UNITS,
    Region.Level.COUNTY: COUNTY_UNITS,
}


@dataclass(frozen=True)
class Size:
    units: int
    citizens: int

    @classmethod
    def for_messages(cls, messages: int) -> Size:
        return cls(
            units=max(messages, 0) // MESSAGES_PER_UNIT,
            citizens=max(messages, 0) // MESSAGES_PER_CITIZEN,
        )


def office_name(region: Region | tuple[str, int]) -> str:
    name, level = (region.name, region.level) if isinstance(region, Region) else region
    if level == Region.Level.PROVINCE:
        return f"{name}人民政府办公厅"
    if level == Region.Level.PREFECTURE:
        return f"{name}人民政府办公室"
    return f"{name}人民政府"


def posts(name: str, level: int) -> tuple[str, ...]:
    """The leaders' posts that get a board in a region."""
    if level == Region.Level.PROVINCE:
        if name.endswith("自治区"):
            return ("党委书记", "主席")
        return ("市委书记", "市长") if name.endswith("市") else ("省委书记", "省长")
    if level == Region.Level.PREFECTURE:
        if name.endswith("自治州"):
            return ("州委书记", "州长")
        return ("地委书记", "专员") if name.endswith(("地区", "盟")) else ("市委书记", "市长")
    head = {"区": "区长", "县": "县长", "市": "市长", "旗": "旗长"}.get(name[-1], "县长")
    return (head,)


def board_name(name: str, post: str) -> str:
    """'长沙市委书记', '湖南省长', '新疆维吾尔自治区主席'."""
    if post[0] == name[-1] or (post.startswith("州") and name.endswith("自治州")):
        return f"{name[:-1]}{post}"
    if name.endswith("省") and post in ("省委书记", "省长"):
        return f"{name[:-1]}{post}"
    return f"{name}{post}"


# --- the skew of a grown world --------------------------------------------------------------

# Letters per board and county fall off as 1/rank**ZIPF_EXPONENT (ranks dealt at random, once per
# world); citizens write CITIZEN_SKEW-skewed: see pick_citizen.
ZIPF_EXPONENT = 0.8
CITIZEN_SKEW = 2.0


def zipf_weights(ids: list[int], *, seed: str, exponent: float = ZIPF_EXPONENT) -> dict[int, float]:
    """A Zipf-like weight for each id: the ids are ranked in a seeded random order (so every
    process of a load agrees) and the one ranked r weighs 1/r**exponent."""
    order = list(ids)
    random.Random(f"zipf:{seed}").shuffle(order)
    return {pk: 1.0 / rank**exponent for rank, pk in enumerate(order, start=1)}


def skewed_index(u: float, count: int) -> int:
    """An index below `count` from a uniform `u` in [0, 1), counted from the end: the share of
    letters from the busiest k citizens is (k/count)**(1/CITIZEN_SKEW), so with a million
    citizens the busiest thousand write 3 % of the letters and half of them write under a
    third; the demo's own named citizens (first in the list) stay ordinary."""
    return count - 1 - int(count * u**CITIZEN_SKEW)


# --- which regions a world of a given size covers ------------------------------------------------


def region_plan(regions: list[tuple[int, str, str, int, int | None]]) -> list[tuple]:
    """Regions (pk, code, name, level, parent_id) in the order a growing world takes them: every
    province, then the first prefecture of each province, the second of each, ..., then the
    first county of each prefecture, the second, ... So a world of any size covers the country
    evenly, and a bigger world contains a smaller one."""
    children: dict[int | None, list[tuple]] = defaultdict(list)
    for row in sorted(regions, key=lambda r: r[1]):
        children[row[4]].append(row)
    rank: dict[int, int] = {}
    for siblings in children.values():
        for number, row in enumerate(siblings):
            rank[row[0]] = number
    by_level = defaultdict(list)
    for row in regions:
        by_level[row[3]].append(row)
    plan = sorted(by_level[Region.Level.PROVINCE], key=lambda r: r[1])
    for level in (Region.Level.PREFECTURE, Region.Level.COUNTY):
        plan += sorted(by_level[level], key=lambda r: (rank[r[0]], r[1]))
    return plan


def units_in(level: int) -> int:
    return 1 + len(_TEMPLATES[level])


# --- building ------------------------------------------------------------------------------


@dataclass
class Grown:
    regions: int = 0
    units: int = 0
    boards: int = 0
    staff: int = 0
    citizens: int = 0


@transaction.atomic
def grow(size: Size, *, password_hash: str, seed: int = 1, demo_citizens: int = 300) -> Grown:
    """Add regions (with their units, boards and staff) and citizens until the world has
    `size.units` units and `size.citizens` citizens; what is there already counts."""
    grown = Grown()
    names = TextGenerator(random.Random(f"{seed}:national"))
    existing_units = Unit.objects.filter(is_active=True).count()
    if size.units > existing_units:
        _grow_regions(size.units - existing_units, names, password_hash, grown)
    grown.citizens = _grow_citizens(size.citizens, password_hash, seed, demo_citizens)
    return grown


def _grow_regions(missing: int, names: TextGenerator, password_hash: str, grown: Grown) -> None:
    rows = list(Region.objects.values_list("pk", "code", "name", "level", "parent_id"))
    built = set(Unit.objects.values_list("region_id", flat=True).distinct())
    chosen = []
    for row in region_plan(rows):
        if missing <= 0:
            break
        if row[0] in built:
            continue
        chosen.append(row)
        missing -= units_in(row[3])
    if not chosen:
        return
    domains = dict(Domain.objects.filter(level=1).values_list("name", "pk"))
    # Parents first: a county's bureaus hang under its prefecture's, its government under the
    # prefecture's office.
    for level in (Region.Level.PROVINCE, Region.Level.PREFECTURE, Region.Level.COUNTY):
        level_rows = [row for row in chosen if row[3] == level]
        if level_rows:
            _build_level(level, level_rows, names, domains, password_hash, grown)
    grown.regions = len(chosen)


def _build_level(level, rows, names: TextGenerator, domains, password_hash, grown: Grown) -> None:
    template = _TEMPLATES[level]
    parents = _parent_units({row[4] for row in rows if row[4] is not None})
    units: list[Unit] = []
    unit_domains: list[tuple[int, tuple[str, ...]]] = []  # (index in units, domain names)
    offices: dict[int, int] = {}  # region pk -> index of its office in units
    for pk, _code, name, _level, parent_id in rows:
        offices[pk] = len(units)
        units.append(
            Unit(
                name=office_name((name, level)),
                region_id=pk,
                parent_id=parents.get((parent_id, "office")),
            )
        )
        for entry in template:
            unit_name, unit_domain_names, signoff = entry[:3]
            above = entry[3] if len(entry) > 3 else None
            unit_domains.append((len(units), unit_domain_names))
            units.append(
                Unit(
                    name=f"{name}{unit_name}",
                    region_id=pk,
                    parent_id=parents.get((parent_id, above)) if above else None,
                    needs_head_signoff=signoff,
                )
            )
    Unit.objects.bulk_create(units, batch_size=2000)
    Through = Unit.domains.through
    Through.objects.bulk_create(
        [
            Through(unit_id=units[index].pk, domain_id=domains[domain])
            for index, domain_names in unit_domains
            for domain in domain_names
            if domain in domains
        ],
        batch_size=5000,
    )
    boards: list[Board] = []
    for pk, _code, name, _level, _parent in rows:
        office = units[offices[pk]]
        for post in posts(name, level):
            boards.append(
                Board(
                    region_id=pk,
                    name=board_name(name, post),
                    kind=Board.Kind.LEADER,
                    post=post,
                    holder=names.person_name(),
                    default_unit_id=office.pk,
                    description=f"给{name}{post}写信，反映问题、提出建议。",
                )
            )
        if level == Region.Level.PROVINCE:
            for body in PROVINCE_BODY_BOARDS:
                unit = next(u for u in units if u.region_id == pk and u.name == f"{name}{body}")
                boards.append(
                    Board(
                        region_id=pk,
                        name=unit.name,
                        kind=Board.Kind.BODY,
                        default_unit_id=unit.pk,
                        position=10,
                    )
                )
    Board.objects.bulk_create(boards, batch_size=2000)
    _staff(level, units, boards, password_hash, grown)
    grown.units += len(units)
    grown.boards += len(boards)


def _parent_units(region_ids: set[int]) -> dict[tuple[int, str], int]:
    """(region pk, 'office' or bureau name without the region's name) -> unit pk."""
    found: dict[tuple[int, str], int] = {}
    rows = Unit.objects.filter(region_id__in=region_ids).values_list(
        "pk", "name", "region_id", "region__name", "region__level"
    )
    for pk, name, region_id, region_name, region_level in rows:
        if name == office_name((region_name, region_level)):
            found[(region_id, "office")] = pk
        elif name.startswith(region_name):
            found[(region_id, name[len(region_name) :])] = pk
    return found


def _staff(level, units: list[Unit], boards: list[Board], password_hash: str, grown) -> None:
    """Two handlers and a head per unit (one handler in a county), a leader per leader's board;
    usernames carry the unit's or board's id, so they never meet the demo's numbered ones."""
    model = get_user_model()
    handlers = 1 if level == Region.Level.COUNTY else 2
    users, memberships = [], []
    for unit in units:
        for number in range(1, handlers + 1):
            users.append(
                model(username=f"demo-handler-u{unit.pk}-{number}", password=password_hash)
            )
            memberships.append(Membership(role=Membership.Role.HANDLER, unit_id=unit.pk))
        users.append(model(username=f"demo-head-u{unit.pk}", password=password_hash))
        memberships.append(Membership(role=Membership.Role.HEAD, unit_id=unit.pk))
    for board in boards:
        if board.kind != Board.Kind.LEADER:
            continue
        title = board.post[-2:] if board.post.endswith("书记") else board.post
        users.append(
            model(
                username=f"demo-leader-b{board.pk}",
                password=password_hash,
                real_name=board.holder,
                nickname=f"{board.holder[0]}{title}",
            )
        )
        memberships.append(
            Membership(role=Membership.Role.LEADER, board_id=board.pk, region_id=board.region_id)
        )
    model.objects.bulk_create(users, batch_size=2000)
    for user, membership in zip(users, memberships, strict=True):
        membership.user_id = user.pk
    Membership.objects.bulk_create(memberships, batch_size=5000)
    grown.staff += len(users)


# --- citizens ------------------------------------------------------------------------------


def citizen_username(number: int) -> str:
    """The demo's own scheme: demo-citizen, demo-citizen-0002, ..., demo-citizen-1000000."""
    return "demo-citizen" if number == 1 else f"demo-citizen-{number:04d}"


def citizen_number(username: str) -> int:
    """The number in a citizen's username; 0 for a name outside the scheme."""
    if username == "demo-citizen":
        return 1
    tail = username.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def citizen_phone(number: int) -> str:
    return f"{CITIZEN_PHONE_PREFIX}{number:08d}"


@cache
def real_name_pool(seed: int = 1) -> tuple[str, ...]:
    """The names generated citizens get (number modulo the pool): who loads the world reads
    them from here instead of decrypting a million tokens."""
    names = TextGenerator(random.Random(f"{seed}:citizens"))
    return tuple(names.person_name() for _ in range(REAL_NAMES))


@cache
def nickname_pool(seed: int = 1) -> tuple[str, ...]:
    names = TextGenerator(random.Random(f"{seed}:nicknames"))
    return tuple(names.nickname() for _ in range(REAL_NAMES * 4))


def _grow_citizens(target: int, password_hash: str, seed: int, demo_citizens: int) -> int:
    model = get_user_model()
    have = model.objects.filter(username__startswith="demo-citizen").count()
    if target <= max(have, demo_citizens):
        return 0
    first = max(have, demo_citizens) + 1
    taken = set(
        model.objects.exclude(phone_hash=None)
        .exclude(username__startswith="demo-citizen")
        .values_list("phone_hash", flat=True)
    )
    table = bulk.Table(model, explicit_ids=False)
    names = real_name_pool(seed)
    tokens = [crypto.encrypt(name) for name in names]
    nicknames = nickname_pool(seed)
    fixed = _fixed_columns(table, password_hash)
    columns = table.attnames
    position = {name: columns.index(name) for name in columns}
    numbers = range(first, target + 1)
    written = 0
    for chunk in _encrypted_phones(numbers):
        rows = []
        for number, phone_token, phone_digest in chunk:
            row = list(fixed)
            row[position["username"]] = citizen_username(number)
            row[position["nickname"]] = nicknames[number % len(nicknames)]
            row[position["real_name"]] = tokens[number % len(tokens)]
            if phone_digest not in taken:
                row[position["phone"]] = phone_token
                row[position["phone_hash"]] = phone_digest
            rows.append(tuple(row))
        _insert(table, rows)
        written += len(rows)
    return written


def _fixed_columns(table: bulk.Table, password_hash: str) -> list:
    joined = timezone.now().replace(microsecond=0)
    values = {
        **dict(zip(table.attnames, table.defaults, strict=True)),
        "password": password_hash,
        "date_joined": joined,
        "last_login": None,
        "is_active": True,
        "is_staff": False,
        "is_superuser": False,
        "email": "",
        "first_name": "",
        "last_name": "",
        "phone": None,
        "phone_hash": None,
    }
    if connection.vendor != "postgresql":
        values["date_joined"] = connection.ops.adapt_datetimefield_value(joined)
    return [values[name] for name in table.attnames]


def _insert(table: bulk.Table, rows: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        bulk.copy_in(table, bulk.copy_text(rows))
    else:
        with connection.cursor() as cursor:
            cursor.executemany(table.sql, rows)


def _encrypt_numbers(numbers: range) -> list[tuple[int, str, str]]:
    """In a worker (or here): each number's phone, encrypted and hashed."""
    out = []
    for number in numbers:
        phone = citizen_phone(number)
        out.append((number, crypto.encrypt(phone), crypto.phone_hash(phone)))
    return out


def _slices(numbers: range, size: int) -> Iterator[range]:
    for start in range(0, len(numbers), size):
        yield numbers[start : start + size]


def _encrypted_phones(numbers: range) -> Iterator[list[tuple[int, str, str]]]:
    """Batches of (number, token, hash), encrypted on every core for big batches: a Fernet
    token and a keyed hash cost ~25 µs a number, half a minute for a million on one core."""
    batches = _slices(numbers, CITIZEN_BATCH)
    cores = os.cpu_count() or 1
    if len(numbers) < 2 * CITIZEN_BATCH or cores < 2:
        yield from map(_encrypt_numbers, batches)
        return
    if "fork" not in multiprocessing.get_all_start_methods():
        yield from map(_encrypt_numbers, batches)
        return
    # Forked: the workers inherit the keys; they touch neither Django nor the database.
    with multiprocessing.get_context("fork").Pool(cores) as pool:
        yield from pool.imap(_encrypt_numbers, batches)


# --- how big the world is ------------------------------------------------------------------


@dataclass(frozen=True)
class Census:
    provinces: int
    regions: int
    units: int
    boards: int
    staff: int
    citizens: int

    def __str__(self) -> str:
        return (
            f"{self.provinces} provinces, {self.regions} regions with units, "
            f"{self.units:,} units, {self.boards:,} boards, {self.staff:,} staff, "
            f"{self.citizens:,} citizens"
        )


def census() -> Census:
    """The demo world's size, in a few counting queries."""
    model = get_user_model()
    region_ids = set(Unit.objects.filter(is_active=True).values_list("region_id", flat=True))
    parents = dict(Region.objects.values_list("pk", "parent_id"))
    provinces = set()
    for region in region_ids:
        while parents.get(region) is not None:
            region = parents[region]
        provinces.add(region)
    return Census(
        provinces=len(provinces),
        regions=len(region_ids),
        units=Unit.objects.filter(is_active=True).count(),
        boards=Board.objects.filter(is_active=True).count(),
        staff=Membership.objects.values("user_id").distinct().count(),
        citizens=model.objects.filter(username__startswith="demo-citizen").count(),
    )
