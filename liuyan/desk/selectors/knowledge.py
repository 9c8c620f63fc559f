"""The shared knowledge base (共享知识库): every reply published to a public message, from
every unit, searchable by words and domain, and the answers most like the message a handler is
replying to. Texts are shown masked (board.textrules.mask_staff_text) as on public pages."""

from __future__ import annotations

from liuyan.board import similarity
from liuyan.board.models import Assignment
from liuyan.board.similarity import KnownAnswer
from liuyan.directory.models import Domain

SIMILAR_SHOWN = 5
SEARCH_SHOWN = 20


def domain_subtree_ids(domain: Domain) -> list[int]:
    """The domain and every domain below it (the tree is three levels deep)."""
    ids, frontier = [domain.pk], [domain.pk]
    while frontier:
        frontier = list(Domain.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def answers_like(assignment: Assignment, *, limit: int = SIMILAR_SHOWN) -> list[KnownAnswer]:
    return similarity.similar_answers(assignment.message, limit=limit)


def search_answers(
    *, query: str, domain: Domain | None, limit: int = SEARCH_SHOWN
) -> list[KnownAnswer]:
    domain_ids = domain_subtree_ids(domain) if domain is not None else None
    return similarity.search_answers(query=query, domain_ids=domain_ids, limit=limit)
