"""Near-duplicate collapse on the cluster: each group once in a search's results, as on Whoosh.

Whoosh (search/backend/whoosh/collapse.py) shows each near-duplicate group once, as its best-ranked
member by relevance and its first member in date order; `distinct` counts the groups, and each hit's
`similar` is how many other live documents its group holds.  Totals and facets still count documents.

Relevance: the cluster's relevance order is Whoosh's score, computed in Python over a pool of candidates
(search.sphinx.ranking), so the pool is collapsed here, in Python (`collapse_pool`), after it is scored.
A SphinxQL `GROUP BY group_key WITHIN GROUP ORDER BY WEIGHT() DESC` cannot do it: WEIGHT() is the pool
ranker's approximation, not Whoosh's score, so it would pick a group's best member (and order the groups)
by the wrong score.  A pool holding fewer groups than the page needs (a templated decision's hundreds of
copies can fill it) is asked for again, four times larger, up to MAX_MATCHES, as Whoosh's `best_first`
grows its sorted prefix.

Date order: Sphinx collapses it itself (`GROUP BY group_key WITHIN GROUP ORDER BY <the date order>`,
see DATE_GROUPING): the order is on attributes, so Sphinx's choice is exact, and only the page's rows
come back.  Collapsing in Python would need every matching document's (id, group, date, seq): on the
tests' 502 grouped documents that statement took 7.7 ms against the grouped page's 11.7 ms (the
ungrouped page: 6.5 ms), but it grows with the matches and cannot pass max_matches, while the grouped
page stays one page.  Measured there (2 loaded cores), a search's p50 went from 54 to 63 ms by relevance
(the group sizes' statement) and from 40 to 53 ms by date (the grouped page, a count of the documents,
the group sizes).

`distinct`: the `total_found` of a statement grouped by `group_key` (`distinct_statement`).  On the
distributed index SphinxQL's COUNT(DISTINCT group_key) adds up each shard's count (273 for 245 groups
of the tests' 502 grouped documents: a group's copies sit on several shards), while a grouped
statement's total_found is counted after the shards' groups are merged (245).  Its max_matches is at
least the documents found, so no group is dropped from the count.
"""
from __future__ import annotations

from collections.abc import Mapping

from .cluster import MAX_MATCHES

# Sphinx's grouping of one date order (its ORDER BY text) as the by-date page lists it: each group's
# first member in that order, the groups in that order.
DATE_GROUPING = "GROUP BY group_key WITHIN GROUP ORDER BY {order} ORDER BY {order}"


def collapse_pool(scores: Mapping[int, float], seq: Mapping[int, int], groups: Mapping[int, int],
                  end: int) -> list[int]:
    """The first `end` documents of a scored pool by descending score, ties in writing order (`seq`,
    Whoosh's docnum order), each group (`groups`: document -> group key) once, as its best-ranked member."""
    seen: set[int] = set()
    ranked: list[int] = []
    for document in sorted(scores, key=lambda d: (-scores[d], seq[d])):
        if groups[document] not in seen:
            seen.add(groups[document])
            ranked.append(document)
            if len(ranked) == end:
                break
    return ranked


def larger_pool(size: int, groups_found: int, end: int, total: int) -> int | None:
    """The next pool size when a pool of `size` held fewer groups than the page needs and more
    documents match than it held, else None (the pool is enough, or it is MAX_MATCHES already)."""
    if groups_found >= end or size >= min(total, MAX_MATCHES):
        return None
    return min(MAX_MATCHES, size * 4)


def matches_limit(total: int) -> int:
    """max_matches of a grouped statement over `total` documents: every group kept (groups <= documents)."""
    return max(MAX_MATCHES, total)


def distinct_statement(index: str, where: str, total: int) -> str:
    """A statement whose total_found is how many groups the documents under `where` belong to."""
    return f"SELECT id FROM {index}{where} GROUP BY group_key LIMIT 1 OPTION max_matches={matches_limit(total)}"


def sizes_statement(index: str, keys: set[int]) -> str:
    """A statement answering (group key, live documents) for each of `keys` (a non-empty set)."""
    return (f"SELECT group_key, COUNT(*) FROM {index} WHERE group_key IN ({', '.join(map(str, sorted(keys)))}) "
            f"GROUP BY group_key LIMIT {len(keys)} OPTION max_matches={max(len(keys), 1)}")
