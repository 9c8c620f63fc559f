"""liuyan.web.inputs: ids parsed from request text, bounded form fields, and `IN` lookups that
never hand the database a number it cannot store."""

from __future__ import annotations

import pytest
from django import forms

from liuyan.web.inputs import ID_MAX, BoundedIntegerField, parse_id, parse_ids, parse_positive
from tests.inputs.test_bad_input_sweep import _form_classes


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1", 1),
        ("42", 42),
        (str(ID_MAX), ID_MAX),
        (str(ID_MAX + 1), None),
        (str(10**40), None),
        ("0", None),
        ("-1", None),
        ("²", None),  # "²".isdigit() is True, int("²") raises
        ("１２", None),  # full-width digits: int() would read them
        ("١٢", None),
        (" 1", None),
        ("1.0", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_id_takes_ascii_ids_in_range_only(text, expected):
    assert parse_id(text) == expected


def test_parse_ids_and_page_numbers():
    assert parse_ids(["3", "x", str(2**63), "²", "7"]) == [3, 7]
    assert parse_positive("3", default=1, maximum=500) == 3
    assert parse_positive("9999", default=1, maximum=500) == 500
    assert parse_positive("²", default=1, maximum=500) == 1
    assert parse_positive(str(10**40), default=1, maximum=500) == 1


def test_bounded_integer_field_refuses_what_no_column_holds():
    field = BoundedIntegerField(required=False)
    assert field.clean("12") == 12
    for text in (str(2**63), str(10**40), str(-(2**63) - 1)):
        with pytest.raises(forms.ValidationError):
            field.clean(text)
    narrow = BoundedIntegerField(min_value=1, max_value=60)
    with pytest.raises(forms.ValidationError):
        narrow.clean("61")


@pytest.mark.django_db
def test_in_lookups_drop_numbers_out_of_range(world):
    """Django answers "no row" for pk=2**63 but crashed for pk__in=[2**63] (OverflowError on
    SQLite, DataError on PostgreSQL); now both answer no row, and the ids in range still match."""
    from liuyan.board.models import Assignment
    from liuyan.directory.models import Unit

    huge = [2**63, 10**40, -(2**63) - 1]
    assert list(Unit.objects.filter(pk__in=huge)) == []
    assert list(Unit.objects.filter(pk__in=[*huge, world.bureau.pk])) == [world.bureau]
    assert list(Unit.objects.filter(pk__in=[str(2**63)])) == []
    assert list(Assignment.objects.filter(unit_id__in=huge)) == []
    assert list(Assignment.objects.filter(unit__in=huge)) == []
    assert Unit.objects.exclude(pk__in=huge).count() == Unit.objects.count()
    # Not integers at all: Django's admin autocomplete widget re-shows a form this way.
    assert list(Unit.objects.filter(pk__in=["²", "abc", str(world.bureau.pk)])) == [world.bureau]


@pytest.mark.django_db
def test_model_choice_fields_refuse_huge_ids_with_a_form_error(world):
    from liuyan.desk.forms import DispatchForm, InviteForm
    from liuyan.directory.models import Unit

    units = Unit.objects.all()
    form = InviteForm({"units": [str(2**63), str(world.bureau.pk)]}, candidates=units)
    assert not form.is_valid() and "units" in form.errors
    form = DispatchForm(
        {"lead_unit": str(world.bureau.pk), "co_units": [str(10**40)]}, candidates=units
    )
    assert not form.is_valid() and "co_units" in form.errors


def test_every_integer_field_of_every_form_is_bounded():
    """A new form with a bare IntegerField would let 10**40 through to a query."""
    unbounded = []
    for form_class in _form_classes():
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.IntegerField) and (
                field.max_value is None or field.min_value is None or field.max_value > ID_MAX
            ):
                unbounded.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    assert not unbounded, f"use BoundedIntegerField or give min_value/max_value: {unbounded}"


@pytest.mark.django_db
def test_a_nul_character_is_refused_with_400(client, world):
    """PostgreSQL cannot store U+0000 in text or JSON; a %00 anywhere would end in a 500."""
    assert client.get("/search/", {"q": "路灯\x00"}).status_code == 400
    assert client.get("/messages/2026%0001/").status_code == 400
    assert client.post("/accounts/login/code/", {"phone": "\x00"}).status_code == 400
    assert client.get("/search/", {"q": "路灯"}).status_code == 200
