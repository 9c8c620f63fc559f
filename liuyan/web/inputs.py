"""Numbers and ids from requests, parsed so that no value a client sends can crash a page.

Two traps made pages answer 500:

* ``str.isdigit()`` is true for "²" or "١٢", which ``int()`` refuses or reads as a number, so
  ``int(v) if v.isdigit()`` raises ValueError. Only ASCII digits are ids here.
* A number beyond the database's 64-bit integers (2**63, 10**40) makes SQLite's driver raise
  OverflowError and PostgreSQL's raise DataError. Django already answers "no row" for ``=``,
  ``<`` and ``>`` with such a number, but not for ``IN`` (``pk__in=[2**63]``), which forms with
  several choices, the admin's actions and bulk views all use. `SafeIntegerIn` closes that gap
  for every query of the site, so each form field and view is covered at the root.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Field, ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

    # The mixin below is only ever combined with In (RelatedIn is one too): typed as one, mypy
    # knows its lhs, rhs and super().process_rhs. At run time it stays a plain mixin.
    _InLookup = In
else:
    _InLookup = object

# SQLite's INTEGER and PostgreSQL's bigint: every id column of the site.
ID_MAX = 2**63 - 1
ID_MIN = -(2**63)
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value: object) -> int | None:
    """A positive database id written in ASCII digits, or None for anything else."""
    if not isinstance(value, str) or not _ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= ID_MAX else None


def parse_int(value: object) -> int | None:
    """A signed integer in ASCII digits that fits a 64-bit column, or None."""
    if not isinstance(value, str):
        return None
    digits = value[1:] if value.startswith("-") else value
    if not _ASCII_DIGITS.fullmatch(digits):
        return None
    number = int(value)
    return number if ID_MIN <= number <= ID_MAX else None


def parse_ids(values: list[str]) -> list[int]:
    """The ids among `values` (a getlist()), in order, ignoring the rest."""
    return [number for number in map(parse_id, values) if number is not None]


def parse_positive(value: object, *, default: int, maximum: int) -> int:
    """A page number or count: `default` unless it is an ASCII integer in 1..`maximum`."""
    number = parse_id(value)
    return min(number, maximum) if number is not None else default


class BoundedIntegerField(forms.IntegerField):
    """An IntegerField that never lets through a number the database cannot store.

    Without `min_value`/`max_value` it is bounded by the 64-bit id range; narrower bounds given
    by the form are kept."""

    def __init__(
        self, *, min_value: int | None = None, max_value: int | None = None, **kwargs: Any
    ) -> None:
        min_value = ID_MIN if min_value is None else max(min_value, ID_MIN)
        max_value = ID_MAX if max_value is None else min(max_value, ID_MAX)
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


# --- the ORM: `IN` with numbers out of the column's range ----------------------------------


def _integer_range(
    field: Field[Any, Any], connection: BaseDatabaseWrapper
) -> tuple[int | None, int | None]:
    target = getattr(field, "target_field", field)  # a foreign key stores its target's type
    try:
        return connection.ops.integer_field_range(target.get_internal_type())
    except KeyError:  # not an integer column
        return None, None


class OutOfRangeDropped(_InLookup):
    """Drops from an `IN` list the integers that no row of the column can hold: they cannot
    match, and the database driver raises on them. An empty list matches nothing, as usual."""

    def process_rhs(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _AsSqlType:
        if self.rhs_is_direct_value():
            low, high = _integer_range(self.lhs.output_field, connection)
            self.rhs = [value for value in self.rhs if _fits(value, low, high)]
        return super().process_rhs(compiler, connection)


def _is_integer(field: Field[Any, Any], value: object) -> bool:
    if value is None or hasattr(value, "resolve_expression"):
        return True  # NULL and expressions are the lookup's own business
    try:
        field.get_prep_value(value)
    except (TypeError, ValueError):
        return False
    return True


def _fits(value: object, low: int | None, high: int | None) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return True  # not ours to judge: the field's own preparation handles it
    return (low is None or value >= low) and (high is None or value <= high)


class SafeIntegerIn(OutOfRangeDropped, In):
    """Also drops what is not an integer at all ("²", "abc"): it cannot match either, and
    Django's admin passes such values from a re-shown form straight to `pk__in`."""

    def get_prep_lookup(self) -> Any:
        if isinstance(self.rhs, list | tuple | set | frozenset):
            self.rhs = [value for value in self.rhs if _is_integer(self.lhs.output_field, value)]
        return super().get_prep_lookup()


class SafeRelatedIn(OutOfRangeDropped, RelatedIn):
    pass


def install_lookups() -> None:
    """Called once from the core app's ready(): every integer and foreign-key column."""
    IntegerField.register_lookup(SafeIntegerIn)
    ForeignObject.register_lookup(SafeRelatedIn)
