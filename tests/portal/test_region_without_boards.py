"""A region with no board and no region below it (北京市东城区) does not ask the citizen to
choose a lower region; it points to the region above."""

from django.urls import reverse

ASKS_FOR_LOWER = "请选择下级地区"


def test_a_county_without_boards_points_up_not_down(client, world):
    response = client.get(reverse("portal:boards") + f"?region={world.county.pk}")
    text = response.content.decode()
    assert ASKS_FOR_LOWER not in text
    assert "上级地区" in text
    assert f"?region={world.city.pk}" in text


def test_a_region_with_lower_regions_and_no_board_still_asks_to_choose_below(client, world):
    response = client.get(reverse("portal:boards") + f"?region={world.province.pk}")
    assert ASKS_FOR_LOWER in response.content.decode()
