"""The demo directory: two provinces, their boards and units, and staff and citizens.

`ensure_world()` creates what is missing (it is safe to run again) and `load_world()` reads the
directory back into plain objects that the history simulation can use without touching the
database for every message. A load test grows the world with its number of messages, like the
real one (all provinces, thousands of boards, 20,000 units and a million citizens at ten
million messages): see `national`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from io import StringIO
from itertools import accumulate

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import transaction

from liuyan.accounts import crypto
from liuyan.directory.models import Board, CalendarYear, Domain, Membership, Region, Unit

from . import national
from .text import TextGenerator

PREFIX = "demo-"
# A public demo login, printed on every run: never use the demo data in production.
PASSWORD = "liuyan-demo"  # noqa: S105
PROVINCES = ("430000", "360000")  # 湖南省, 江西省
CITIZENS = 300
ALL = "*"  # a unit that takes every domain (a government office)

# (name without the region prefix, domains, needs the head's sign-off, sub-units per district)
PROVINCIAL_BODIES = (
    ("住房和城乡建设厅", ("城乡建设",), True),
    ("教育厅", ("教育文体",), False),
    ("人力资源和社会保障厅", ("劳动和社会保障",), False),
    ("生态环境厅", ("环境保护",), False),
)
BODY_BOARDS = ("住房和城乡建设厅", "教育厅")
CITY_BUREAUS = (
    ("住房和城乡建设局", ("城乡建设",), True, False),
    ("教育局", ("教育文体",), True, False),
    ("人力资源和社会保障局", ("劳动和社会保障",), False, False),
    ("生态环境局", ("环境保护",), False, True),
    ("交通运输局", ("交通运输",), False, False),
    ("卫生健康委员会", ("卫生计生",), False, False),
    ("城市管理和综合执法局", ("城乡建设",), False, False),
    ("公安局", ("政法",), False, True),
)
DISTRICT_GOVERNMENTS = 3  # per capital city; each also gets a county head's board
BRANCHES = 2  # district branches (分局) per bureau that has them


@dataclass
class UnitInfo:
    id: int
    name: str
    region_id: int
    parent_id: int | None
    domains: frozenset[str]  # first-level domain names; contains ALL for a government office
    needs_signoff: bool
    handlers: list[int] = field(default_factory=list)
    heads: list[int] = field(default_factory=list)
    children: list[int] = field(default_factory=list)

    def covers(self, domain: str) -> bool:
        return ALL in self.domains or domain in self.domains

    @property
    def is_office(self) -> bool:
        return ALL in self.domains


@dataclass
class BoardInfo:
    id: int
    name: str
    kind: str
    region_id: int
    default_unit_id: int
    salutation: str
    leaders: list[int] = field(default_factory=list)
    domains: frozenset[str] = frozenset({ALL})  # what a body's board is written to about
    weight: float = 3.0  # how many letters it gets, relative to the others


@dataclass
class RegionInfo:
    id: int
    code: str
    name: str
    level: int
    parent_id: int | None


@dataclass(slots=True)
class Citizen:
    id: int
    nickname: str
    phone: str | None  # None where the generated number was taken already
    real_name: str


@dataclass
class World:
    regions: dict[int, RegionInfo]
    boards: list[BoardInfo]
    units: dict[int, UnitInfo]
    top_domains: dict[str, int]  # first-level name -> Domain id
    sub_domains: dict[tuple[str, str], int]  # (first-level name, deeper name) -> Domain id
    moderators: list[int]
    operators: list[int]
    leaders_by_region: dict[int, list[int]]
    citizens: list[Citizen]
    # A load-test world (grown by `national`): letters are skewed over boards, counties and
    # citizens, as on a real platform, where a few are far busier than most.
    skewed: bool = False

    def counties_under(self, region_id: int) -> list[int]:
        return self._counties.get(region_id, [])

    def ancestors(self, region_id: int) -> list[int]:
        """The region and those above it, nearest first."""
        chain: list[int] = []
        current: int | None = region_id
        while current is not None:
            chain.append(current)
            current = self.regions[current].parent_id
        return chain

    def index(self) -> World:
        self._counties: dict[int, list[int]] = defaultdict(list)
        for region in self.regions.values():
            if region.level == Region.Level.COUNTY:
                for above in self.ancestors(region.id):
                    self._counties[above].append(region.id)
        self.units_by_region: dict[int, list[UnitInfo]] = defaultdict(list)
        for unit in self.units.values():
            self.units_by_region[unit.region_id].append(unit)
        # Skewed worlds: each county's share of the letters to the boards above it (Zipf-like,
        # fixed per county), as cumulative weights for choices().
        self.county_cum_weights: dict[int, list[float]] = {}
        if self.skewed:
            weight = national.zipf_weights(
                sorted(r for r in self.regions if self.regions[r].level == Region.Level.COUNTY),
                seed="counties",
            )
            for above, counties in self._counties.items():
                self.county_cum_weights[above] = list(accumulate(weight[c] for c in counties))
        return self


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    where: str


# --- the directory's own data: regions, domains, holidays -----------------------------------


def _command(*names: str) -> str | None:
    available = get_commands()
    return next((name for name in names if name in available), None)


def ensure_reference_data(out=None) -> None:
    """Regions, domains and holidays come from the directory's loaders; run them if empty."""
    out = out or StringIO()
    if Region.objects.filter(code__in=PROVINCES).count() < len(PROVINCES):
        loader = _command("load-regions", "load_regions")
        if loader is None:
            raise CommandError("No regions loaded and no load-regions command to load them.")
        call_command(loader, stdout=out)
    if not Domain.objects.exists() and (loader := _command("load-domains", "load_domains")):
        call_command(loader, stdout=out)
    if not CalendarYear.objects.exists() and (loader := _command("seed-holidays", "seed_holidays")):
        call_command(loader, stdout=out)


# --- building -------------------------------------------------------------------------------


def is_built() -> bool:
    return get_user_model().objects.filter(username=f"{PREFIX}admin").exists()


@transaction.atomic
def ensure_world(*, seed: int = 1, messages: int = 0) -> national.Grown:
    """Create every part of the demo directory that does not exist yet, and grow it to the size
    a load of `messages` messages (all of them, counting those there already) calls for."""
    rng = random.Random(seed)
    names = TextGenerator(rng)
    password = make_password(PASSWORD)  # hashed once: hashing is slow on purpose
    provinces = list(Region.objects.filter(code__in=PROVINCES).order_by("-code"))
    users = _Users(password)
    for province in provinces:
        _build_province(province, names, users)
    _build_people(names, users)
    return national.grow(
        national.Size.for_messages(messages), password_hash=password, demo_citizens=CITIZENS
    )


class _Users:
    """Creates demo users on demand, each with the same (already hashed) password."""

    def __init__(self, password_hash: str):
        self.password_hash = password_hash
        self.model = get_user_model()
        self.counters: dict[str, int] = defaultdict(int)

    def next(self, role: str, **fields):
        """The first user of a role gets the short name printed in the logins table."""
        self.counters[role] += 1
        number = self.counters[role]
        username = f"{PREFIX}{role}" if number == 1 else f"{PREFIX}{role}-{number:03d}"
        user, _ = self.model.objects.get_or_create(
            username=username, defaults={"password": self.password_hash, **fields}
        )
        return user


def _member(user, role: str, **where) -> None:
    Membership.objects.get_or_create(user=user, role=role, **where)


def _unit(name: str, region: Region, domains, *, parent=None, signoff=False) -> Unit:
    unit, created = Unit.objects.get_or_create(
        region=region, name=name, defaults={"parent": parent, "needs_head_signoff": signoff}
    )
    if created and domains:
        unit.domains.set(Domain.objects.filter(level=1, name__in=domains))
    return unit


def _staff(unit: Unit, users: _Users, handlers: int = 2) -> None:
    for _ in range(handlers):
        _member(users.next("handler"), Membership.Role.HANDLER, unit=unit)
    _member(users.next("head"), Membership.Role.HEAD, unit=unit)


def _leader_board(region: Region, post: str, unit: Unit, names: TextGenerator, users: _Users):
    holder = names.person_name()
    title = post[-2:] if post.endswith("书记") else post
    board, _ = Board.objects.get_or_create(
        region=region,
        name=f"{region.name[:-1]}{post}",
        defaults={
            "kind": Board.Kind.LEADER,
            "post": post,
            "holder": holder,
            "default_unit": unit,
            "description": f"给{region.name}{post}写信，反映问题、提出建议。",
        },
    )
    leader = users.next("leader", real_name=board.holder or holder, nickname=f"{holder[0]}{title}")
    _member(leader, Membership.Role.LEADER, board=board, region=region)
    return board


def _posts(region: Region) -> tuple[str, ...]:
    if region.level == Region.Level.PROVINCE:
        return ("省委书记", "省长")
    if region.level == Region.Level.PREFECTURE:
        return ("州委书记", "州长") if region.name.endswith("自治州") else ("市委书记", "市长")
    head = {"区": "区长", "县": "县长", "市": "市长"}.get(region.name[-1], "县长")
    return (head,)


def _build_province(province: Region, names, users: _Users) -> None:
    # The capital first: its bureau staff and leader get the short demo usernames.
    prefectures = Region.objects.filter(parent=province, level=Region.Level.PREFECTURE)
    for prefecture in sorted(prefectures, key=lambda r: (not _is_capital(r), r.code)):
        _build_prefecture(prefecture, names, users, capital=_is_capital(prefecture))
    office = _unit(f"{province.name}人民政府办公厅", province, ())
    _staff(office, users)
    for post in _posts(province):
        _leader_board(province, post, office, names, users)
    for body, domains, signoff in PROVINCIAL_BODIES:
        unit = _unit(f"{province.name}{body}", province, domains, signoff=signoff)
        _staff(unit, users)
        if body in BODY_BOARDS:
            Board.objects.get_or_create(
                region=province,
                name=unit.name,
                defaults={"kind": Board.Kind.BODY, "default_unit": unit, "position": 10},
            )


def _is_capital(prefecture: Region) -> bool:
    return prefecture.code.endswith("0100")


def _build_prefecture(prefecture: Region, names, users: _Users, *, capital: bool) -> None:
    office = _unit(f"{prefecture.name}人民政府办公室", prefecture, ())
    districts = list(prefecture.children.order_by("code")[:DISTRICT_GOVERNMENTS]) if capital else []
    for bureau, domains, signoff, branches in CITY_BUREAUS if capital else ():
        unit = _unit(f"{prefecture.name}{bureau}", prefecture, domains, signoff=signoff)
        _staff(unit, users)
        for district in districts[:BRANCHES] if branches else ():
            branch_name = f"{prefecture.name}{bureau}{district.name[:-1]}分局"
            branch = _unit(branch_name, district, domains, parent=unit)
            _staff(branch, users, handlers=1)
    _staff(office, users, handlers=2 if capital else 1)
    for post in _posts(prefecture):
        _leader_board(prefecture, post, office, names, users)
    for district in districts:
        government = _unit(f"{district.name}人民政府", district, (), parent=office)
        _staff(government, users, handlers=1)
        for post in _posts(district):
            _leader_board(district, post, government, names, users)


def _build_people(names: TextGenerator, users: _Users) -> None:
    admin = users.next("admin", is_staff=True, is_superuser=True, real_name="系统管理员")
    _member(admin, Membership.Role.ADMIN)
    for _ in range(3):
        _member(users.next("moderator", is_staff=False), Membership.Role.MODERATOR)
    for _ in range(2):
        _member(users.next("operator"), Membership.Role.OPERATOR)
    _build_citizens(names, users.password_hash)


def _build_citizens(names: TextGenerator, password_hash: str) -> None:
    """Citizens in bulk: hundreds of get_or_create calls would dominate the first run."""
    model = get_user_model()
    usernames = [
        f"{PREFIX}citizen" if i == 1 else f"{PREFIX}citizen-{i:04d}" for i in range(1, CITIZENS + 1)
    ]
    existing = set(model.objects.filter(username__in=usernames).values_list("username", flat=True))
    phones = [national.citizen_phone(number) for number in range(1, CITIZENS + 1)]
    # By the keyed hash: decrypting every stored number would take minutes in a load-test world.
    taken_hashes = (
        set(
            model.objects.filter(
                phone_hash__in=[crypto.phone_hash(phone) for phone in phones]
            ).values_list("phone_hash", flat=True)
        )
        if len(existing) < CITIZENS
        else set()
    )
    new = []
    for number, username in enumerate(usernames, start=1):
        phone = phones[number - 1]
        nickname, real_name = names.nickname(), names.person_name()
        if username in existing:
            continue
        new.append(
            model(
                username=username,
                password=password_hash,
                phone=None if crypto.phone_hash(phone) in taken_hashes else phone,
                nickname=nickname,
                real_name=real_name,
            )
        )
    model.objects.bulk_create(new)


# --- reading back ---------------------------------------------------------------------------


def load_world() -> World:
    """The demo directory as plain objects (a few queries, whatever its size)."""
    regions, skewed = _load_regions()
    units = _load_units(set(regions))
    boards = _load_boards(set(regions), units)
    if skewed:
        _skew_boards(boards, regions)
    top, sub = _load_domains()
    roles = _users_by_role()
    leaders_by_region: dict[int, list[int]] = defaultdict(list)
    for board in boards:
        leaders_by_region[board.region_id].extend(board.leaders)
    return World(
        regions=regions,
        boards=boards,
        units=units,
        top_domains=top,
        sub_domains=sub,
        moderators=roles[Membership.Role.MODERATOR],
        operators=roles[Membership.Role.OPERATOR],
        leaders_by_region=dict(leaders_by_region),
        citizens=_load_citizens(),
        skewed=skewed,
    ).index()


def _load_regions() -> tuple[dict[int, RegionInfo], bool]:
    """The demo's provinces and every province a load test's world grew into, with all their
    regions; and whether it grew (then letters are skewed, see World.skewed)."""
    every = {
        row[0]: RegionInfo(*row)
        for row in Region.objects.values_list("pk", "code", "name", "level", "parent_id")
    }

    def province_of(pk: int) -> int:
        while (parent := every[pk].parent_id) is not None:
            pk = parent
        return pk

    demo = {pk for pk, region in every.items() if region.code in PROVINCES}
    with_units = Unit.objects.filter(is_active=True).values_list("region_id", flat=True)
    provinces = demo | {province_of(pk) for pk in set(with_units)}
    found = {pk: region for pk, region in every.items() if province_of(pk) in provinces}
    return found, bool(provinces - demo)


def _load_units(region_ids: set[int]) -> dict[int, UnitInfo]:
    units = {
        pk: UnitInfo(pk, name, region_id, parent_id, frozenset(), signoff)
        for pk, name, region_id, parent_id, signoff in Unit.objects.filter(
            region_id__in=region_ids, is_active=True
        ).values_list("pk", "name", "region_id", "parent_id", "needs_head_signoff")
    }
    domains: dict[int, set[str]] = defaultdict(set)
    # Read whole and filtered here: a load-test world has too many units for an IN list.
    for unit_id, name in Unit.domains.through.objects.values_list("unit_id", "domain__name"):
        if unit_id in units:
            domains[unit_id].add(name)
    for unit in units.values():
        unit.domains = frozenset(domains.get(unit.id) or {ALL})
    for user_id, role, unit_id in (
        Membership.objects.filter(unit__isnull=False, role__in=Membership.UNIT_ROLES)
        .order_by("pk")
        .values_list("user_id", "role", "unit_id")
    ):
        if unit_id not in units:
            continue
        (units[unit_id].heads if role == Membership.Role.HEAD else units[unit_id].handlers).append(
            user_id
        )
    staffed = {pk: unit for pk, unit in units.items() if unit.handlers and unit.heads}
    for unit in staffed.values():
        if unit.parent_id in staffed:
            staffed[unit.parent_id].children.append(unit.id)
    return staffed


def _load_boards(region_ids: set[int], units: dict[int, UnitInfo]) -> list[BoardInfo]:
    boards = []
    rows = Board.objects.filter(region_id__in=region_ids, is_active=True).values_list(
        "pk", "name", "kind", "region_id", "default_unit_id", "post", "holder"
    )
    for pk, name, kind, region_id, unit_id, post, holder in rows.order_by(
        "region__code", "position", "pk"
    ):
        if unit_id not in units:
            continue
        title = "书记" if post.endswith("书记") else post
        salutation = f"{holder[0]}{title}" if holder and title else "领导"
        domains = units[unit_id].domains if kind == Board.Kind.BODY else frozenset({ALL})
        # Most people write to their city's leaders; provincial posts and bodies get fewer.
        weight = 1.5 if kind == Board.Kind.BODY else 3.0
        boards.append(
            BoardInfo(
                pk, name, kind, region_id, unit_id, salutation, domains=domains, weight=weight
            )
        )
    by_id = {board.id: board for board in boards}
    for user_id, board_id in (
        Membership.objects.filter(role=Membership.Role.LEADER, board__isnull=False)
        .order_by("pk")
        .values_list("user_id", "board_id")
    ):
        if board_id in by_id:
            by_id[board_id].leaders.append(user_id)
    return boards


# A grown world's boards: a province's leaders get more letters per board than a city's, a
# city's more than a county's; within a level, Zipf-like (see national.zipf_weights).
LEVEL_WEIGHTS: dict[int, float] = {
    Region.Level.PROVINCE: 6.0,
    Region.Level.PREFECTURE: 3.0,
    Region.Level.COUNTY: 1.0,
}


def _skew_boards(boards: list[BoardInfo], regions: dict[int, RegionInfo]) -> None:
    zipf = national.zipf_weights(sorted(board.id for board in boards), seed="boards")
    for board in boards:
        level = LEVEL_WEIGHTS.get(regions[board.region_id].level, 1.0)
        board.weight *= level * zipf[board.id]


def _load_domains() -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    # Typed by hand: the plugin reads values_list's parent_id as never null.
    rows: dict[int, tuple[str, int | None]] = {
        pk: (name, parent_id)
        for pk, name, parent_id in Domain.objects.values_list("pk", "name", "parent_id")
    }

    def top_of(pk: int) -> int:
        parent = rows[pk][1]
        while parent is not None:
            pk, parent = parent, rows[parent][1]
        return pk

    top = {name: pk for pk, (name, parent_id) in rows.items() if parent_id is None}
    sub = {
        (rows[top_of(pk)][0], name): pk
        for pk, (name, parent_id) in rows.items()
        if parent_id is not None
    }
    return top, sub


def _users_by_role() -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    rows = Membership.objects.filter(
        user__username__startswith=PREFIX, unit=None, board=None
    ).values_list("role", "user_id")
    for role, user_id in rows.order_by("user_id"):
        found[role].append(user_id)
    return found


def _load_citizens() -> list[Citizen]:
    """The demo's citizens as stored; a grown world's without decrypting a million phone
    numbers and names: they are made from the citizen's number (national.citizen_phone, the
    name pool), a phone only where one was stored."""
    model = get_user_model()
    rows = model.objects.filter(username__startswith=f"{PREFIX}citizen").order_by("pk")
    names = national.real_name_pool()
    citizens: list[Citizen] = []
    demo: list[int] = []  # positions of the demo's own citizens
    for pk, username, nickname, has_phone in rows.values_list(
        "pk", "username", "nickname", "phone_hash"
    ):
        number = national.citizen_number(username)
        if number <= CITIZENS:
            demo.append(len(citizens))
        phone = national.citizen_phone(number) if has_phone else None
        citizens.append(Citizen(pk, nickname, phone, names[number % len(names)]))
    stored = dict(
        (pk, (phone, real_name))
        for pk, phone, real_name in model.objects.filter(
            pk__in=[citizens[i].id for i in demo]
        ).values_list("pk", "phone", "real_name")
    )
    for i in demo:
        citizens[i].phone, citizens[i].real_name = stored[citizens[i].id]
    return citizens


def logins() -> list[Login]:
    """One login for each role, as printed at the end of every run."""
    model = get_user_model()
    shown = []
    for role, label in (
        ("citizen", "citizen"),
        ("moderator", "moderator"),
        ("handler", "unit handler"),
        ("head", "unit head"),
        ("leader", "leader"),
        ("operator", "hotline operator"),
        ("admin", "administrator"),
    ):
        user = model.objects.filter(username=f"{PREFIX}{role}").first()
        if user is None:
            continue
        shown.append(Login(label, user.username, _where(user)))
    return shown


def _where(user) -> str:
    if user.is_superuser:
        return "/admin/ (superuser)"
    if user.phone and not user.memberships.exists():
        return f"phone {user.phone}"
    membership = user.memberships.select_related("unit", "board").first()
    if membership is None:
        return ""
    return str(membership.unit or membership.board or "everywhere")
