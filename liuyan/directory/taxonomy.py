"""The project's domain taxonomy (领域分类), read from `data/domains.csv`.

Each CSV row is a path 一级,二级,三级 (the third, or the second and third, may be empty when a
category has no finer level). The first-level names are the labels the message classifier
predicts, so they must not be renamed here without retraining.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

DOMAINS_RESOURCE = ("liuyan.directory", "data/domains.csv")


@dataclass(frozen=True)
class DomainNode:
    """One category: its path from the top (names), so `path[-1]` is its own name."""

    path: tuple[str, ...]
    position: int  # order among its siblings, as written in the file

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def level(self) -> int:
        return len(self.path)

    @property
    def parent_path(self) -> tuple[str, ...]:
        return self.path[:-1]


def read_domain_paths(text: str | None = None) -> list[tuple[str, ...]]:
    """Paths from the CSV (header skipped, blanks trimmed, empty trailing levels dropped)."""
    if text is None:
        package, name = DOMAINS_RESOURCE
        text = resources.files(package).joinpath(name).read_text("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    paths = []
    for row in rows[1:]:
        names = [cell.strip() for cell in row[:3]]
        while names and not names[-1]:
            names.pop()
        if names:
            if "" in names:
                raise ValueError(f"domains.csv: a level is empty in the middle of {row!r}")
            paths.append(tuple(names))
    return paths


def domain_nodes(paths: Iterable[tuple[str, ...]]) -> list[DomainNode]:
    """Every category named by the paths, parents before children, numbered among siblings."""
    positions: dict[tuple[str, ...], int] = {}
    next_position: dict[tuple[str, ...], int] = {}
    for path in paths:
        for depth in range(1, len(path) + 1):
            prefix = path[:depth]
            if prefix not in positions:
                parent = prefix[:-1]
                positions[prefix] = next_position.get(parent, 0)
                next_position[parent] = positions[prefix] + 1
    nodes = [DomainNode(path=path, position=position) for path, position in positions.items()]
    return sorted(nodes, key=lambda node: node.level)
