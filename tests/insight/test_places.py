"""Place extraction on real-looking titles and bodies written for these tests (the names are
invented; none comes from the shared data set)."""

import pytest

from liuyan.insight.places import (
    COMPOUND,
    LINE,
    ROAD,
    SITE,
    Place,
    bare_name,
    is_road,
    known_names_in,
    main_place,
    name_stem,
    name_variants,
    place_key,
    places_in,
    region_of,
    regions_conflict,
    same_place,
    specific_places,
    stem_variant,
)


def _keys(text):
    return [p.key for p in places_in(text)]


@pytest.mark.parametrize(
    ("text", "name", "kind"),
    [
        ("A3区金桂新苑物业乱收停车费", "金桂新苑", COMPOUND),
        ("投诉B2区翠湖湾小区电梯经常故障", "翠湖湾小区", COMPOUND),
        ("A市万达魅力之城楼板开裂", "万达魅力之城", COMPOUND),
        ("A7县东湖镇石桥村七组自来水问题", "石桥村", COMPOUND),
        ("A5区枫林西路夜间施工扰民", "枫林西路", ROAD),
        ("C1区湘府大道拥堵", "湘府大道", ROAD),
        ("A2区向阳坡小学何时能建成", "向阳坡小学", SITE),
        ("西地省三元机床公司拒不还款", "三元机床公司", SITE),
        ("A6区北辰中心医院收费不透明", "北辰中心医院", SITE),
        ("A市地铁5号线何时开工", "地铁5号线", LINE),
        ("咨询A市轨道交通9号线站点设置", "地铁9号线", LINE),
    ],
)
def test_finds_the_place_and_its_kind(text, name, kind):
    places = places_in(text)
    assert [(p.name, p.kind) for p in places][:1] == [(name, kind)]


def test_region_names_verbs_and_house_numbers_are_cut_off():
    assert specific_places("A市暮山街道金桂新苑社区附近搅拌站噪音") == ["金桂新苑社区"]
    assert specific_places("本人系东湖镇石桥村村民") == ["石桥村"]
    assert specific_places("坚决反对在A7县青松山林小区门口设置医院") == ["青松山林小区"]
    assert specific_places("A4区福星西路199号万国花园一期20栋") == ["福星西路", "万国花园"]
    assert specific_places("西地省聚宝人普惠投资有限公司涉嫌诈骗") == ["聚宝人普惠投资有限公司"]
    assert specific_places("地处银松路的公交站") == ["银松路"]


@pytest.mark.parametrize(
    "text",
    [
        "该小区位于A4区域不宜临路修建高铁",  # the old fault: "A4区域不宜临路"
        "我们小区物业乱收费",
        "A市物业公司进入企业老旧职工小区",
        "A市城市道路建设滞后",
        "老板跑路了,工资没人发",
        "A市在县城修建垃圾场",
        "A市市中心交通拥堵",
        "公交7号线太难等",
        "社区巴士3号线发车间隔太长",
        "国家大力倡导以人民为中心",
        "敦促区属下区中学落实待遇",
        "村道还是泥巴路，雨天没法走",  # a mud road, not a road called 泥巴路
    ],
)
def test_fragments_that_are_not_places_are_rejected(text):
    assert places_in(text) == []


def test_variants_of_one_name_have_one_key():
    keys = {
        place_key(name) for name in ("A2区金桂新苑", "金桂新苑小区", "金桂新苑社区", "金桂新苑二期")
    }
    assert keys == {"金桂新苑"}
    assert _keys("暮山街道金桂新苑社区附近") == ["金桂新苑"]
    assert place_key("泉水公园项目") == "泉水公园"


def test_a_place_written_inside_another_keeps_both():
    [place] = places_in("A市伊水园滨江苑捆绑销售车位")
    assert (place.key, place.within) == ("伊水园滨江苑", "伊水园")
    [place] = places_in("A9市禧乐路垃圾分拣中心不符合规定")
    assert (place.name, place.within) == ("禧乐路垃圾分拣中心", "禧乐路")
    # A road after a village is not inside it.
    assert _keys("A7县东湖镇石桥村水泥路坑洼") == ["石桥村"]


def test_most_specific_place_with_its_region():
    assert main_place("A3区看山路一师桂园小区临街烧烤摊") == "A3区看山路一师桂园小区"
    assert main_place("关于公交的建议", "A市A5区的问题") == "A市A5区"
    assert main_place("A4区翠湖湾小区距高铁太近") == "A4区翠湖湾小区"
    assert main_place("环境污染", "A2区金桂新苑附近搅拌站灰尘大") == "A2区金桂新苑"


def test_same_place_and_region_conflicts():
    assert same_place("海外湾", "绿洲海外湾")
    assert same_place("看山路", "梅湖看山路")
    assert not same_place("金桂新苑", "金桂新苑幼儿园")
    assert not same_place("新城", "丽景新城")  # too short to stand for a name
    assert region_of("本人系东湖镇石桥村") == "东湖镇"
    assert region_of("A市A2区金桂新苑") == "A市A2区"
    assert region_of("我是一名普通市民，政策文件看不懂") == ""  # no 一名普通市
    assert region_of("我是长沙市民") == "长沙市"
    assert regions_conflict("A5区", "A7县")
    assert regions_conflict("A市", "B市")
    assert not regions_conflict("A市A2区", "A2区")
    assert not regions_conflict("A市", "A9市")
    assert not regions_conflict("", "A5区")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("星沙金茂城", "星沙金贸城"),  # one character replaced (a homophone)
        ("万婴格林幼儿园", "万瀛格林幼儿园"),
        ("黄星大道", "黄兴大道"),
        ("宏泰实业公司", "泰宏实业公司"),  # two neighbours swapped
        ("板仓路", "仓板路"),  # a swap in a short name
    ],
)
def test_one_name_written_two_ways_are_variants(a, b):
    assert name_variants(a, b)
    assert name_variants(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("金茂城", "金贸城"),  # three characters, one apart: too often two places (万国城 / 万科城)
        ("人民东路", "人民中路"),  # a direction tells two roads apart
        ("地铁3号线", "地铁4号线"),  # so does a number
        ("楚雅二医院", "楚雅三医院"),  # and a numeral
        ("金桂一期小区", "金桂三期小区"),
        ("金桂新苑", "金桂新园"),  # the kind of place (its last character) differs
        ("金桂新苑", "金桂新苑"),  # the same name is no variant
        ("金桂新苑", "金花新园"),  # two characters replaced
        ("宏泰实业公司", "泰实宏业公司"),  # not two neighbours swapped
        ("星沙金茂城", "金茂城"),  # lengths differ: same_place's business
    ],
)
def test_names_that_tell_places_apart_are_not_variants(a, b):
    assert not name_variants(a, b)


def test_a_known_bare_name_is_found_only_where_a_name_may_begin():
    known = {"翠湖天地": COMPOUND}
    longest = max(map(len, known))
    assert [p.key for p in known_names_in("投诉A市翠湖天地开发商", known, longest)] == ["翠湖天地"]
    assert [p.position for p in known_names_in("翠湖天地门前有土堆", known, longest)] == [0]
    assert known_names_in("A市南翠湖天地开发商", known, longest) == []  # inside a longer name
    assert known_names_in("投诉A市碧水华庭开发商", known, longest) == []


def test_bare_names_and_stems():
    assert bare_name(Place("翠湖天地小区", "翠湖天地", COMPOUND, 0))
    assert not bare_name(Place("翠湖新城", "翠湖新城", COMPOUND, 0))  # has its place word
    assert not bare_name(Place("榆溪小区", "榆溪", COMPOUND, 0))  # too short to look for
    assert name_stem("榆溪新城小区") == "榆溪"
    assert stem_variant("榆溪", "榆溪新城")
    assert not stem_variant("榆溪新城", "榆溪")
    assert not stem_variant("榆溪", "榆溪路")  # a road is not the compound
    assert is_road("东城松岭路") and not is_road("榆溪新城")
