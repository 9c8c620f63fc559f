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

# (name, first-level domains, needs the head's sign-off, the bureau above it one level up);
# each region's office (all domains) comes first.
Template = tuple[tuple[str, tuple[str, ...], bool, str | None], ...]
PROVINCE_UNITS: Template = (
    ("住房和城乡建设厅", ("城乡建设",), True, None),
    ("教育厅", ("教育文体",), False, None),
    ("人力资源和社会保障厅", ("劳动和社会保障",), False, None),
    ("生态环境厅", ("环境保护",), False, None),
)
PROVINCE_BODY_BOARDS = ("住房和城乡建设厅", "教育厅")
PREFECTURE_UNITS: Template = (
    ("住房和城乡建设局", ("城乡建设",), True, None),
    ("教育局", ("教育文体",), True, None),
    ("人力资源和社会保障局", ("劳动和社会保障",), False, None),
    ("生态环境局", ("环境保护",), False, None),
    ("交通运输局", ("交通运输",), False, None),
    ("卫生健康委员会", ("卫生计生",), False, None),
    ("城市管理和综合执法局", ("城乡建设",), False, None),
    ("公安局", ("政法",), False, None),
)
COUNTY_UNITS: Template = (
    ("住房和城乡建设局", ("城乡建设",), False, "住房和城乡建设局"),
    ("教育局", ("教育文体",), False, "教育局"),
    ("人力资源和社会保障局", ("劳动和社会保障",), False, "人力资源和社会保障局"),
    ("公安局", ("政法",), False, "公安局"),
    ("卫生健康局", ("卫生计生",), False, "卫生健康委员会"),
)
# Taiwan, Hong Kong and Macao are in GB/T 2260 but not among the 31 provinces of the platform.
OUTSIDE_THE_PLATFORM = ("71", "81", "82")
_TEMPLATES: dict[int, Template] = {
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
        if not row[1].startswith(OUTSIDE_THE_PLATFORM):
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
    rows: list[tuple[int, str, str, int, int | None]] = list(
        Region.objects.values_list("pk", "code", "name", "level", "parent_id")
    )
    built = set(Unit.objects.values_list("region_id", flat=True).distinct())
    chosen = []
    for row in region_plan(rows):
        # A grown world has every province (their governments are the first 150 units).
        if missing <= 0 and row[3] != Region.Level.PROVINCE:
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
    """One level's regions: units (parents first), their domains, boards, staff; rows made as
    plain values with ids of our own (bulk.Writer) and copied in, not saved one by one."""
    template = _TEMPLATES[level]
    parents = _parent_units({row[4] for row in rows if row[4] is not None})
    model = get_user_model()
    Through = Unit.domains.through
    writer = bulk.Writer([Unit, Through, Board, model, Membership], with_ids={Unit, Board, model})
    writer.reserve_ids()
    handlers = 1 if level == Region.Level.COUNTY else 2
    before = dict(writer.counts())
    for pk, _code, name, _level, parent_id in rows:
        office = _add_unit(
            writer, office_name((name, level)), pk, parents.get((parent_id, "office"))
        )
        by_name = {}
        for unit_name, unit_domain_names, signoff, above_name in template:
            above = parents.get((parent_id, above_name)) if above_name else None
            unit = _add_unit(writer, f"{name}{unit_name}", pk, above, signoff=signoff)
            by_name[unit_name] = unit
            for domain in unit_domain_names:
                if domain in domains:
                    writer.add(Through, {"unit_id": unit, "domain_id": domains[domain]})
        for unit in (office, *by_name.values()):
            _add_staff(writer, model, unit, handlers, password_hash)
        for post in posts(name, level):
            holder = names.person_name()
            board = writer.new_id(Board)
            writer.add(
                Board,
                {
                    "id": board,
                    "region_id": pk,
                    "name": board_name(name, post),
                    "kind": Board.Kind.LEADER,
                    "post": post,
                    "holder": holder,
                    "default_unit_id": office,
                    "description": f"给{name}{post}写信，反映问题、提出建议。",
                },
            )
            title = post[-2:] if post.endswith("书记") else post
            leader = writer.new_id(model)
            writer.add(
                model,
                {
                    "id": leader,
                    "username": f"demo-leader-b{board}",
                    "password": password_hash,
                    "real_name": holder,
                    "nickname": f"{holder[0]}{title}",
                },
            )
            writer.add(
                Membership,
                {
                    "user_id": leader,
                    "role": Membership.Role.LEADER,
                    "board_id": board,
                    "region_id": pk,
                },
            )
        if level == Region.Level.PROVINCE:
            for body in PROVINCE_BODY_BOARDS:
                writer.add(
                    Board,
                    {
                        "id": writer.new_id(Board),
                        "region_id": pk,
                        "name": f"{name}{body}",
                        "kind": Board.Kind.BODY,
                        "default_unit_id": by_name[body],
                        "position": 10,
                    },
                )
    _write(writer.take())
    if connection.vendor == "postgresql":
        bulk.reset_sequences(writer.explicit_id_models())
    counts = writer.counts()
    grown.units += counts["Unit"] - before.get("Unit", 0)
    grown.boards += counts["Board"] - before.get("Board", 0)
    grown.staff += counts[model.__name__] - before.get(model.__name__, 0)


def _add_unit(writer: bulk.Writer, name: str, region: int, parent, *, signoff=False) -> int:
    pk = writer.new_id(Unit)
    writer.add(
        Unit,
        {
            "id": pk,
            "name": name,
            "region_id": region,
            "parent_id": parent,
            "needs_head_signoff": signoff,
        },
    )
    return pk


def _add_staff(writer: bulk.Writer, model, unit: int, handlers: int, password_hash: str) -> None:
    """Handlers and a head; usernames carry the unit's id, so they never meet the demo's
    numbered ones."""
    people = [
        (f"demo-handler-u{unit}-{n}", Membership.Role.HANDLER) for n in range(1, handlers + 1)
    ]
    for username, role in [*people, (f"demo-head-u{unit}", Membership.Role.HEAD)]:
        user = writer.new_id(model)
        writer.add(model, {"id": user, "username": username, "password": password_hash})
        writer.add(Membership, {"user_id": user, "role": role, "unit_id": unit})


def _write(batch: bulk.Batch) -> None:
    for table, values in batch:
        if connection.vendor == "postgresql":
            bulk.copy_in(table, bulk.copy_text(values))
        else:
            with connection.cursor() as cursor:
                cursor.executemany(table.sql, values)


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


@dataclass(frozen=True)
class _CitizenRows:
    """What a worker needs to make citizens' rows; set before the fork, inherited."""

    columns: list[str]
    fixed: list  # every column's value shared by all generated citizens
    tokens: list[str]  # the real-name pool, encrypted
    nicknames: tuple[str, ...]
    taken: frozenset[str]  # phone hashes other accounts hold already
    copy_text: bool  # PostgreSQL: COPY text; SQLite: values for executemany


_ROWS: _CitizenRows | None = None


def _grow_citizens(target: int, password_hash: str, seed: int, demo_citizens: int) -> int:
    global _ROWS
    model = get_user_model()
    have = model.objects.filter(username__startswith="demo-citizen").count()
    if target <= max(have, demo_citizens):
        return 0
    first = max(have, demo_citizens) + 1
    taken = frozenset(
        model.objects.exclude(phone_hash=None)
        .exclude(username__startswith="demo-citizen")
        .values_list("phone_hash", flat=True)
    )
    table = bulk.Table(model, explicit_ids=False)
    postgres = connection.vendor == "postgresql"
    _ROWS = _CitizenRows(
        columns=table.attnames,
        fixed=_fixed_columns(table, password_hash, as_copy_text=postgres),
        tokens=[crypto.encrypt(name) for name in real_name_pool(seed)],
        nicknames=nickname_pool(seed),
        taken=taken,
        copy_text=postgres,
    )
    numbers = range(first, target + 1)
    try:
        for chunk in _made_in_workers(numbers):
            if postgres:
                bulk.copy_in(table, chunk)
            else:
                with connection.cursor() as cursor:
                    cursor.executemany(table.sql, chunk)
    finally:
        _ROWS = None
    return len(numbers)


def _fixed_columns(table: bulk.Table, password_hash: str, *, as_copy_text: bool) -> list:
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
    if as_copy_text:  # each value's COPY text once, not once a row
        return [bulk.copy_text([(values[name],)]).decode()[:-1] for name in table.attnames]
    values["date_joined"] = connection.ops.adapt_datetimefield_value(joined)
    return [values[name] for name in table.attnames]


def _citizen_rows(numbers: range):
    """In a worker (or here): the citizens' rows, each phone number encrypted and hashed (the
    costly part: ~30 µs a number), as COPY text or as values."""
    rows = _ROWS
    assert rows is not None, "set by _grow_citizens before the fork"
    position = {name: rows.columns.index(name) for name in rows.columns}
    at_username, at_nickname = position["username"], position["nickname"]
    at_name, at_phone, at_hash = position["real_name"], position["phone"], position["phone_hash"]
    tokens, nicknames, taken = rows.tokens, rows.nicknames, rows.taken
    out = []
    for number in numbers:
        row = list(rows.fixed)
        row[at_username] = citizen_username(number)
        row[at_nickname] = nicknames[number % len(nicknames)]
        row[at_name] = tokens[number % len(tokens)]
        phone = citizen_phone(number)
        digest = crypto.phone_hash(phone)
        if digest not in taken:
            row[at_phone], row[at_hash] = crypto.encrypt(phone), digest
        out.append(row)
    if rows.copy_text:
        # Usernames, nicknames, tokens and hashes hold no tab, newline or backslash.
        return "".join("\t".join(map(str, row)) + "\n" for row in out).encode()
    return [tuple(row) for row in out]


def _slices(numbers: range, size: int) -> Iterator[range]:
    for start in range(0, len(numbers), size):
        yield numbers[start : start + size]


def _made_in_workers(numbers: range) -> Iterator:
    """Batches of citizens' rows, made on every core for a big load: encrypting a million phone
    numbers takes half a minute on one core."""
    batches = _slices(numbers, CITIZEN_BATCH)
    cores = os.cpu_count() or 1
    forking = "fork" in multiprocessing.get_all_start_methods()
    if len(numbers) < 2 * CITIZEN_BATCH or cores < 2 or not forking:
        yield from map(_citizen_rows, batches)
        return
    # Forked: the workers inherit _ROWS and the keys; they touch neither Django nor the database.
    with multiprocessing.get_context("fork").Pool(cores) as pool:
        yield from pool.imap(_citizen_rows, batches)


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
