"""Who is who: regions, boards, units, staff memberships, domains, holidays and clock rules."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """An administrative division with its GB/T 2260 code (行政区划)."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("province")
        PREFECTURE = 2, _("prefecture")
        COUNTY = 3, _("county")

    code = models.CharField(
        _("GB/T 2260 code"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", _("A region code has 6 digits."))],
    )
    name = models.CharField(_("name"), max_length=60)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [models.Index(fields=["parent", "code"])]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list["Region"]:
        """This region and the ones above it, the province first."""
        chain: list[Region] = []
        region: Region | None = self
        while region is not None:
            chain.append(region)
            region = region.parent
        return chain[::-1]

    @property
    def full_name(self) -> str:
        return "".join(region.name for region in self.ancestors())


class Domain(models.Model):
    """A category of the domain tree (领域分类): 一级 / 二级 / 三级."""

    name = models.CharField(_("name"), max_length=60)
    level = models.PositiveSmallIntegerField(_("level"), choices=[(1, "1"), (2, "2"), (3, "3")])
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["level", "position", "name"]
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="domain_unique_name_in_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(parent=None), name="domain_unique_top_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def top(self) -> "Domain":
        # Testing `parent` rather than `parent_id` costs no query either: a null key gives None
        # without touching the database, and a set one is fetched (and cached) for the loop body.
        domain = self
        while domain.parent is not None:
            domain = domain.parent
        return domain


class Unit(models.Model):
    """A body that handles messages (办理单位)."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("region"))
    domains = models.ManyToManyField(
        Domain, blank=True, related_name="units", verbose_name=_("domains handled")
    )
    needs_head_signoff = models.BooleanField(
        _("replies need the head's sign-off"),
        default=False,
        help_text=_("When on, a reply goes to the unit head before moderators review it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    aliases = models.CharField(
        _("short names"),
        max_length=200,
        blank=True,
        help_text=_(
            "Names people type for this unit, separated by spaces (e.g. 住建局 长沙住建局). "
            "Filled from the name when left empty."
        ),
    )

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unit_unique_name_in_region")
        ]

    def __str__(self) -> str:
        return self.name

    def descendant_ids(self) -> list[int]:
        """Ids of this unit's sub-units at every depth (not including itself)."""
        found, frontier = [], [self.pk]
        while frontier:
            frontier = list(
                Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            found.extend(frontier)
        return found


class Board(models.Model):
    """Where a message is addressed: a leader's post or a body (留言板块)."""

    class Kind(models.TextChoices):
        LEADER = "leader", _("leader's post")
        BODY = "body", _("government body")

    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. A市市委书记"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("region"))
    post = models.CharField(_("post"), max_length=60, blank=True, help_text=_("e.g. 市委书记"))
    holder = models.CharField(_("holder"), max_length=30, blank=True)
    default_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="default_for_boards",
        verbose_name=_("default handling unit"),
    )
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(
        _("e-mail address"),
        blank=True,
        help_text=_("Mail to this address becomes a message to this board (mailbox intake)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    aliases = models.CharField(
        _("short names"),
        max_length=200,
        blank=True,
        help_text=_(
            "Names people type for this board, separated by spaces. Filled from the name when "
            "left empty."
        ),
    )
    visible_to_region_leaders = models.BooleanField(
        _("visible to the region's leaders"),
        default=True,
        help_text=_(
            "When on, the leaders of other boards of this region (and of the regions above) see "
            "this board's public messages. Private messages stay with this board's own leaders."
        ),
    )

    class Meta:
        ordering = ["region__code", "position", "name"]
        verbose_name = _("board")
        verbose_name_plural = _("boards")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A staff role held by a user, in a unit (handler, head), or over a region or board."""

    class Role(models.TextChoices):
        HANDLER = "handler", _("unit handler")
        HEAD = "head", _("unit head")
        MODERATOR = "moderator", _("moderator")
        LEADER = "leader", _("leader")
        OPERATOR = "operator", _("hotline operator")
        ADMIN = "admin", _("administrator")

    UNIT_ROLES = {Role.HANDLER, Role.HEAD}

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("For moderators and leaders: the region they cover (empty: everywhere)."),
    )
    board = models.ForeignKey(
        Board,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        help_text=_("For leaders: the board of their post."),
    )

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        indexes = [models.Index(fields=["user", "role"]), models.Index(fields=["unit", "role"])]

    def __str__(self) -> str:
        where = self.unit or self.board or self.region or _("everywhere")
        return f"{self.user} · {self.get_role_display()} · {where}"

    def clean(self) -> None:
        if self.role in self.UNIT_ROLES and self.unit_id is None:
            raise ValidationError({"unit": _("Handlers and heads belong to a unit.")})
        if self.role not in self.UNIT_ROLES and self.unit_id is not None:
            raise ValidationError({"unit": _("Only handlers and heads belong to a unit.")})


class Holiday(models.Model):
    """One day that differs from Monday–Friday: an official day off, or a make-up working day."""

    class Source(models.TextChoices):
        PACKAGE = "chinese-calendar", _("chinese-calendar package")
        ADMIN = "admin", _("entered by an administrator")

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("make-up working day"),
        default=False,
        help_text=_("On: a weekend day worked instead (调休). Off: an official day off."),
    )
    name = models.CharField(_("name"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default="admin")

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holidays and make-up days")

    def __str__(self) -> str:
        kind = _("make-up working day") if self.is_working_day else _("day off")
        return f"{self.date} {self.name} ({kind})"


class CalendarYear(models.Model):
    """A year whose official holidays have been entered; other years fall back to Mon–Fri."""

    year = models.PositiveIntegerField(_("year"), unique=True, validators=[MinValueValidator(2000)])
    source = models.CharField(
        _("source"), max_length=20, choices=Holiday.Source.choices, default="admin"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class ClockRule(models.Model):
    """Working-day limits for a region or a unit; the closest one to a message applies."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, null=True, blank=True)
    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, null=True, blank=True)
    screen_days = models.PositiveSmallIntegerField(_("screen within (working days)"), default=1)
    accept_days = models.PositiveSmallIntegerField(_("accept within (working days)"), default=5)
    accept_days_urgent = models.PositiveSmallIntegerField(
        _("accept urgent within (working days, 0 = same day)"), default=0
    )
    reply_days = models.PositiveSmallIntegerField(_("reply within (working days)"), default=15)
    reply_days_urgent = models.PositiveSmallIntegerField(
        _("reply urgent within (working days)"), default=2
    )
    extension_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=15)
    rating_window_days = models.PositiveSmallIntegerField(_("rating window (days)"), default=15)

    class Meta:
        verbose_name = _("clock rule")
        verbose_name_plural = _("clock rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(region__isnull=True) ^ models.Q(unit__isnull=True),
                name="clockrule_region_xor_unit",
            )
        ]

    def __str__(self) -> str:
        return str(self.unit or self.region)
