"""The query layer on the seeds and on real Diavgeia decisions."""
from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata

import pytest

from search.documents import Document
from search.backend.whoosh.engine import SearchEngine
from search.querylang import parse_query
from search.request import MAX_QUERY_CHARS, InvalidRequest, parse_request
from search.service import SearchService
from search.store import IndexStore
from tests.conftest import SHARED_DATA, marked, seed_documents

PYLAIA, CHANIA = "000_1fe309cce7ba6396", "002_a41b864c727e27df"


def edge_case_documents() -> list[Document]:
    """No date, and hostile markup."""
    return [
        Document(id="undated", title="Ανακοίνωση για τη διακοπή νερού", body="Διακοπή υδροδότησης στον Δήμο Χανίων.",
                 municipalities=["Δήμος Χανίων"]),
        Document(id="hostile", title="<script>alert(1)</script> διακοπή",
                 body="Κείμενο με <b>ετικέτες</b> & σύμβολα: διακοπή ρεύματος.", date=dt.date(2020, 5, 1)),
    ]


def diavgeia_documents() -> list[Document]:
    path = SHARED_DATA / "diavgeia-decisions.jsonl"
    if not path.exists():
        return []
    documents = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["body"]:
            documents.append(Document(
                id=record["id"], title=record["title"], body=record["body"],
                date=dt.date.fromisoformat(record["date"]) if record["date"] else None,
                municipalities=[record["municipality"]] if record["municipality"] else [],
            ))
    return documents


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> SearchEngine:
    store = IndexStore(tmp_path_factory.mktemp("index"))
    store.build(seed_documents() + edge_case_documents() + diavgeia_documents())
    return SearchService(store).engine()


def search(engine: SearchEngine, **params) -> dict:
    """The answer as the API sends it."""
    return engine.search(parse_request({k: [str(x) for x in (v if isinstance(v, list) else [v])]
                                        for k, v in params.items()})).as_json()


def ids(answer: dict) -> list[str]:
    return [r["id"] for r in answer["results"]]


def test_accentless_surname_finds_its_announcement(engine):
    assert ids(search(engine, q="καιτεζιδης")) == [PYLAIA]


def test_upper_case_role_finds_the_chania_meeting(engine):
    assert CHANIA in ids(search(engine, q="ΥΦΥΠΟΥΡΓΟΣ"))


def test_both_seeds_match_with_the_accented_words_highlighted(engine):
    answer = search(engine, q="ψηφιακη διακυβερνηση")
    assert {PYLAIA, CHANIA} <= set(ids(answer))
    for result in answer["results"]:
        if result["id"] in (PYLAIA, CHANIA):
            words = {word.lower() for word in marked(result)}
            assert words & {"ψηφιακή", "ψηφιακής"} and words & {"διακυβέρνηση", "διακυβέρνησης"}


def test_title_match_outranks_body_match(engine):
    # "Ζαριφόπουλο" is in the Chania title; another document only mentions δήμαρχος in its body.
    answer = search(engine, q="δημάρχου")
    assert ids(answer)[0] == CHANIA


def test_exact_phrase_needs_the_words_in_order(engine):
    assert {PYLAIA, CHANIA} <= set(ids(search(engine, q='"ψηφιακή διακυβέρνηση"')))
    assert not {PYLAIA, CHANIA} & set(ids(search(engine, q='"διακυβέρνηση ψηφιακή"')))


def test_excluded_word_removes_documents(engine):
    found = ids(search(engine, q="ψηφιακη διακυβερνηση -χανιων"))
    assert PYLAIA in found and CHANIA not in found


def test_or_joins_alternatives(engine):
    assert set(ids(search(engine, q="καιτεζιδης OR σημανδηρακης"))) == {PYLAIA, CHANIA}


def test_prefix_matches_real_words(engine):
    answer = search(engine, q="αντιδημ*")
    assert CHANIA in ids(answer)
    assert "αντιδημάρχων" in marked(next(r for r in answer["results"] if r["id"] == CHANIA))


def test_hyphenated_compound_found_by_each_part(engine):
    assert PYLAIA in ids(search(engine, q="Χορτιάτη"))
    assert CHANIA in ids(search(engine, q="MyKEP"))


@pytest.mark.parametrize("typed", [
    '"unbalanced', 'δήμος"', ':::', 'title:', '-', '--', '*', 'OR', 'OR OR δήμος', 'δήμος OR', '-"',
    '(δήμος', 'δήμος)', 'AND NOT', '\x00', '🙂 δήμος', 'α*', '""', '" "', 'δ' * MAX_QUERY_CHARS, 'ΔΗΜΟΣ:ΧΑΝΙΩΝ',
])
def test_any_input_is_a_search_never_an_error(engine, typed):
    answer = search(engine, q=typed)
    assert answer["total"] >= 0 and isinstance(answer["results"], list)


def test_colon_and_stray_quote_degrade_to_plain_words(engine):
    assert ids(search(engine, q='ΔΗΜΟΣ:ΧΑΝΙΩΝ "σημανδηρακης')) == [CHANIA]


def test_municipality_filter_or_within_and_across_facets(engine):
    one = search(engine, q="διακυβερνηση", municipality="Δήμος Χανίων")
    assert ids(one) == [CHANIA]
    both = search(engine, q="διακυβερνηση", municipality=["Δήμος Χανίων", "Δήμος Πυλαίας-Χορτιάτη"])
    assert set(ids(both)) == {PYLAIA, CHANIA}
    across = search(engine, q="διακυβερνηση", municipality=["Δήμος Χανίων", "Δήμος Πυλαίας-Χορτιάτη"],
                    official="Ιγνάτιος Καϊτεζίδης")
    assert ids(across) == [PYLAIA]


def test_date_range_filter(engine):
    answer = search(engine, q="διακυβερνηση", **{"from": "2024-01-01", "to": "2024-12-31"})
    assert CHANIA in ids(answer) and PYLAIA not in ids(answer)
    assert all("2024-01-01" <= r["date"] <= "2024-12-31" for r in answer["results"])


def test_facet_counts_follow_the_query_and_the_other_filters(engine):
    answer = search(engine, q="διακυβερνηση", municipality="Δήμος Χανίων")
    municipalities = {f["value"]: f for f in answer["facets"]["municipality"]}
    # The municipality facet ignores its own filter, so the other value stays offered.
    assert municipalities["Δήμος Χανίων"] == {"value": "Δήμος Χανίων", "count": 1, "selected": True}
    assert municipalities["Δήμος Πυλαίας-Χορτιάτη"]["count"] == 1
    officials = {f["value"]: f["count"] for f in answer["facets"]["official"]}
    assert "Ιγνάτιος Καϊτεζίδης" not in officials and officials["Γρηγόρης Ζαριφόπουλος"] == 1
    assert answer["facets"]["year"] == [{"value": "2024", "count": 1, "selected": False}]


def test_year_facet_is_selected_by_its_date_range(engine):
    answer = search(engine, q="διακυβερνηση", **{"from": "2021-01-01", "to": "2021-12-31"})
    years = {f["value"]: f for f in answer["facets"]["year"]}
    assert years["2021"]["selected"] and not years["2024"]["selected"]


def test_empty_query_lists_everything_newest_first_undated_last(engine):
    answer = search(engine, q="", per_page=100, page=1)
    assert answer["total"] == engine.document_count()
    assert answer["query"]["sort"] == "newest"
    dates = [r["date"] for r in answer["results"]]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True)
    last_page = search(engine, q="", per_page=100, page=answer["pages"])
    assert last_page["results"][-1]["date"] is None


def test_oldest_sort_keeps_undated_last(engine):
    answer = search(engine, q="διακοπή", sort="oldest")
    dates = [r["date"] for r in answer["results"]]
    assert dates[-1] is None and dates[:-1] == sorted(dates[:-1])


def test_pagination_splits_results_without_overlap(engine):
    first = search(engine, q="απόφαση", per_page=5, page=1)
    second = search(engine, q="απόφαση", per_page=5, page=2)
    assert first["total"] > 10 and first["pages"] == -(-first["total"] // 5)
    assert len(first["results"]) == len(second["results"]) == 5
    assert not set(ids(first)) & set(ids(second))
    assert search(engine, q="απόφαση", per_page=5, page=2_000)["results"] == []


def test_snippets_are_the_document_text_with_the_matched_words_spanned(engine):
    answer = search(engine, q="ετικέτες")
    result = answer["results"][0]
    assert "<b>ετικέτες</b>" in result["snippet"] and "&" in result["snippet"]  # text, never HTML
    assert marked(result) == ["ετικέτες"]


def test_misspelled_word_is_corrected_from_the_index_and_announced(engine):
    answer = search(engine, q="δημαχρος Χανίων")
    assert answer["correction"] == {"applied": True, "query": "δήμαρχος Χανίων", "as_typed_url": None}
    assert answer["suggestion"] is None


def test_correct_query_gets_no_suggestion(engine):
    answer = search(engine, q="διακυβέρνηση")
    assert answer["suggestion"] is None and answer["correction"] is None


@pytest.mark.parametrize("params, parameter", [
    ({"page": ["0"]}, "page"), ({"per_page": ["1000"]}, "per_page"), ({"per_page": ["ten"]}, "per_page"),
    ({"from": ["2021-13-01"]}, "from"), ({"to": ["yesterday"]}, "to"), ({"sort": ["best"]}, "sort"),
    ({"from": ["2024-01-01"], "to": ["2021-01-01"]}, "from"), ({"from": ["20210101"]}, "from"),
    ({"to": ["2021-W01-1"]}, "to"), ({"page": ["١"]}, "page"), ({"per_page": ["1_0"]}, "per_page"),
])
def test_invalid_parameters_are_explained_in_english_and_greek(params, parameter):
    with pytest.raises(InvalidRequest) as error:
        parse_request(params)
    assert error.value.parameter == parameter
    assert parameter in error.value.message and re.search("[α-ω]", error.value.message_el)


def test_query_language_parts():
    clauses = parse_query('ψηφιακή -χανιων "δήμος πυλαίας" αντιδημ* A OR B')
    assert [(c.phrase, c.prefix, c.negated, len(c.alternatives)) for c in clauses] == [
        (False, False, False, 0), (False, False, True, 0), (True, False, False, 0),
        (False, True, False, 0), (False, False, False, 1),
    ]


def test_selected_year_stays_listed_at_zero(engine):
    answer = search(engine, q="καιτεζιδης", **{"from": "2024-01-01", "to": "2024-12-31"})
    assert answer["total"] == 0
    assert {"value": "2024", "count": 0, "selected": True} in answer["facets"]["year"]


def test_excluded_greeklish_word_excludes(engine):
    found = ids(search(engine, q="psifiaki diakyvernisi -xania"))
    assert PYLAIA in found and CHANIA not in found


def test_correction_keeps_the_typed_query_around_the_corrected_word(engine):
    typed = unicodedata.normalize("NFD", "«δημαχρος» Χανίων")
    assert unicodedata.normalize("NFC", search(engine, q=typed)["correction"]["query"]) == "«δήμαρχος» Χανίων"


def test_long_latin_nonsense_is_searched_as_typed(engine):
    answer = search(engine, q="th" * 16 + " " + "ph" * 16)
    assert answer["total"] == 0 and answer["suggestion"] is None and answer["correction"] is None


def test_a_snippet_reads_a_bounded_part_of_a_long_text(monkeypatch):
    """A law of 700,000 characters costs what an announcement does: the words read are counted."""
    from search import highlight

    read: list[int] = []
    words = highlight.analysis.words

    def counted(text, start=0):
        for word in words(text, start):
            read.append(word.start)
            yield word

    monkeypatch.setattr(highlight.analysis, "words", counted)
    body = " ".join(d.body for d in seed_documents())
    matches = highlight.highlighter(parse_query("διακυβέρνηση"))
    for copies in (1, 10, 200):
        read.clear()
        excerpt = highlight.snippet(body * copies, matches)
        assert excerpt.spans and max(read) <= highlight.SNIPPET_LOCATE_CHARS + highlight.SNIPPET_SCAN_CHARS * 2
        assert len(read) < 100  # the words around candidate places (39), not every word up to them (233)
    # A text whose first match lies past the bounded look-up shows its opening, as an unmatched one does.
    filler = "Ο δήμος ενημερώνει τους πολίτες. " * 400
    late = highlight.snippet(filler + "ψηφιακή διακυβέρνηση", matches)
    assert late.spans == () and late.text.startswith("Ο δήμος ενημερώνει")
