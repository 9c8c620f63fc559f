"""Short names people type for government bodies (住建局 for 住房和城乡建设局).

`aliases_for(name, region_name)` derives the common short forms of a unit's or board's full name:
the body's abbreviation alone and with its region (长沙住建局, 长沙市住建局). Administrators can
edit the stored `aliases` field; it is filled from here when left empty (directory/signals.py).
"""

from __future__ import annotations

# Longest first: "城市管理和综合执法局" must win over "城市管理局" for the same name.
SHORT_NAMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("住房和城乡建设局", ("住建局", "建设局")),
    ("住房和城乡建设厅", ("住建厅", "建设厅")),
    ("住房和城乡建设委员会", ("住建委",)),
    ("人力资源和社会保障局", ("人社局", "社保局")),
    ("人力资源和社会保障厅", ("人社厅",)),
    ("市场监督管理局", ("市监局", "市场监管局", "工商局")),
    ("发展和改革委员会", ("发改委",)),
    ("发展和改革局", ("发改局",)),
    ("生态环境局", ("环保局", "生态局")),
    ("生态环境厅", ("环保厅",)),
    ("卫生健康委员会", ("卫健委",)),
    ("卫生健康局", ("卫健局",)),
    ("城市管理和综合执法局", ("城管局", "城管执法局")),
    ("城市管理综合执法局", ("城管局", "城管执法局")),
    ("城市管理局", ("城管局",)),
    ("交通运输局", ("交通局",)),
    ("交通运输厅", ("交通厅",)),
    ("自然资源和规划局", ("自然资源局", "规划局", "资规局")),
    ("自然资源局", ("国土局",)),
    ("农业农村局", ("农业局", "农业农村")),
    ("文化旅游广电局", ("文旅局",)),
    ("文化和旅游局", ("文旅局",)),
    ("应急管理局", ("应急局", "安监局")),
    ("医疗保障局", ("医保局",)),
    ("退役军人事务局", ("退役军人局",)),
    ("工业和信息化局", ("工信局",)),
    ("政务服务和大数据管理局", ("政务服务局", "数据局")),
    ("住房公积金管理中心", ("公积金中心", "公积金")),
    ("人民政府办公厅", ("政府办公厅", "省政府办")),
    ("人民政府办公室", ("政府办", "市政府办")),
    ("人民政府", ("政府",)),
    ("公安局", ("公安",)),
    ("教育局", ("教委",)),
)

# Region names are typed without their level word as often as with it (长沙 for 长沙市).
_LEVEL_SUFFIXES = ("自治州", "自治县", "省", "市", "区", "县", "州", "盟", "旗")


def short_region_name(name: str) -> str:
    for suffix in _LEVEL_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def aliases_for(name: str, region_name: str = "") -> list[str]:
    """The short names of a body called `name` in the region `region_name` (may be empty)."""
    found: list[str] = []
    body = name[len(region_name) :] if region_name and name.startswith(region_name) else name
    for long, shorts in SHORT_NAMES:
        if body.endswith(long):
            stem = body[: -len(long)]  # e.g. a branch: 住房和城乡建设局芙蓉分局 does not end so
            for short in shorts:
                found.append(stem + short)
                if region_name:
                    found.append(short_region_name(region_name) + stem + short)
                    found.append(region_name + stem + short)
            break
    unique: list[str] = []
    for alias in found:
        if alias and alias != name and alias not in unique:
            unique.append(alias)
    return unique


def aliases_text(name: str, region_name: str = "") -> str:
    """The aliases as the stored field holds them: separated by spaces."""
    return " ".join(aliases_for(name, region_name))[:200]
