"""Board and unit search knows the short names people type (住建局, 人社局, 发改委)."""

from django.urls import reverse

from liuyan.directory.aliases import aliases_for
from liuyan.directory.models import Unit
from liuyan.portal import selectors


def test_common_short_names_are_derived_from_full_names():
    assert "住建局" in aliases_for("长沙市住房和城乡建设局", "长沙市")
    assert "长沙住建局" in aliases_for("长沙市住房和城乡建设局", "长沙市")
    assert "人社局" in aliases_for("长沙市人力资源和社会保障局", "长沙市")
    assert "市监局" in aliases_for("长沙市市场监督管理局", "长沙市")
    assert "发改委" in aliases_for("长沙市发展和改革委员会", "长沙市")
    assert aliases_for("长沙市市长", "长沙市") == []


def test_a_new_unit_gets_its_short_names_and_an_edited_one_keeps_them(world):
    unit = Unit.objects.create(name="长沙市市场监督管理局", region=world.city)
    assert "市监局" in unit.aliases.split()
    unit.aliases = "市场局"
    unit.save()
    unit.refresh_from_db()
    assert unit.aliases == "市场局"


def test_searching_the_example_in_the_search_box_finds_the_housing_bureau(client, world):
    response = client.get(reverse("portal:boards") + "?q=住建局")
    assert world.bureau.name in response.text
    # The board whose default unit is the bureau is found too.
    assert world.board in selectors.find_boards("住建局")


def test_region_name_before_a_short_name_narrows_to_that_region(world):
    # 长沙 names both 长沙市 and 长沙县: both bureaus are what the citizen may mean.
    assert set(selectors.find_units("长沙住建局")) == {world.bureau, world.district_office}
    assert selectors.find_units("长沙市住建局") == [world.bureau]
    assert world.district_office in selectors.find_units("住建局")
    assert selectors.find_units("株洲住建局") == []


def test_partial_short_names_match_as_prefixes(world):
    Unit.objects.create(name="长沙市人力资源和社会保障局", region=world.city)
    assert [u.name for u in selectors.find_units("人社")] == ["长沙市人力资源和社会保障局"]
