"""`liuyan load-domains`: the project's own domain taxonomy."""

import csv

import pytest
from django.conf import settings

from liuyan.directory import services
from liuyan.directory.models import Domain
from liuyan.directory.taxonomy import domain_nodes, read_domain_paths

pytestmark = pytest.mark.django_db


def test_load_domains_makes_fifteen_top_level_domains(run):
    output = run("load-domains")

    top = Domain.objects.filter(parent=None)
    assert top.count() == 15
    assert set(top.values_list("level", flat=True)) == {1}
    assert "level 1: 15 created" in output


@pytest.mark.shared_data
def test_top_level_names_are_the_ones_the_classifier_predicts(run):
    shared = settings.BASE_DIR.parent.parent / "shared" / "data" / "taxonomy.csv"
    with shared.open(encoding="utf-8-sig") as handle:
        expected = {row["一级分类"] for row in csv.DictReader(handle)}

    run("load-domains")

    assert set(Domain.objects.filter(parent=None).values_list("name", flat=True)) == expected


def test_the_tree_has_three_levels_each_under_the_level_above(run):
    run("load-domains")

    paths = read_domain_paths()
    assert Domain.objects.count() == len(domain_nodes(paths))
    for domain in Domain.objects.select_related("parent"):
        if domain.level == 1:
            assert domain.parent is None
        else:
            assert domain.parent.level == domain.level - 1
    property_service = Domain.objects.get(name="物业服务质量")
    assert property_service.parent.name == "物业与社区"
    assert property_service.top.name == "城乡建设"
    assert Domain.objects.filter(level=3).count() == len(paths)


def test_siblings_are_numbered_in_file_order(run):
    run("load-domains")

    for parent in Domain.objects.filter(level__lt=3):
        positions = list(parent.children.order_by("position").values_list("position", flat=True))
        assert positions == list(range(len(positions)))
    housing = Domain.objects.get(name="城乡建设")
    assert housing.position == 0
    assert housing.children.get(position=0).name == "住房保障"


def test_a_second_run_changes_nothing(run):
    run("load-domains")
    before = list(Domain.objects.values_list("id", "name", "level", "parent_id", "position"))

    output = run("load-domains")

    assert list(Domain.objects.values_list("id", "name", "level", "parent_id", "position")) == (
        before
    )
    assert "nothing changed" in output


def test_reordering_the_file_moves_positions_and_keeps_removed_domains():
    first = "一级,二级,三级\n甲,子一,孙一\n甲,子一,孙二\n乙,子二,\n"
    services.load_domains(nodes=domain_nodes(read_domain_paths(first)))
    child_id = Domain.objects.get(name="子一").pk

    second = "一级,二级,三级\n乙,子二,\n甲,子一,孙二\n"
    result = services.load_domains(nodes=domain_nodes(read_domain_paths(second)))

    assert Domain.objects.get(name="乙").position == 0
    assert Domain.objects.get(name="甲").position == 1
    assert Domain.objects.get(name="孙二").position == 0
    assert Domain.objects.get(name="子一").pk == child_id  # same row, not a new one
    assert Domain.objects.filter(name="孙一").exists()  # may be in use: kept, only counted
    assert result.kept == 1


def test_read_domain_paths_drops_empty_trailing_levels_and_refuses_gaps():
    assert read_domain_paths("一级,二级,三级\n甲,,\n甲,乙, \n") == [("甲",), ("甲", "乙")]
    with pytest.raises(ValueError):
        read_domain_paths("一级,二级,三级\n甲,,丙\n")
