"""The correction policy (issue 14) with the issue's own words, against the real Diavgeia decisions and seeds.

The evidence comes from the documents themselves (which folded words and stems each one holds), as an
index would give it, so these tests need no index and stay fast.
"""
from __future__ import annotations

import collections
from dataclasses import dataclass

import pytest

from search.analysis import fold, stem, words
from search.corrections import Action, CorrectionPlan, FEW_HITS, decide, gather, spelled
from search.greeklish import GreekVocabulary
from search.ingest import IngestReport, load_documents
from tests.conftest import SEEDS, shared_data


@dataclass
class Corpus:
    """Per document: its title and body, its folded words and its stems; and the vocabulary over them."""

    texts: list[str]
    folded: list[set[str]]
    stems: list[set[str]]
    vocabulary: GreekVocabulary

    def hits(self, folded: str) -> int:
        """Documents the word finds as typed: its stem in the text, or its exact form."""
        word_stem = stem(folded)
        return sum(1 for f, s in zip(self.folded, self.stems) if folded in f or word_stem in s)

    def plan(self, q: str, as_typed: bool = False, quoted: bool = False) -> CorrectionPlan:
        evidence = [gather(w.folded, self.hits(w.folded), lambda: self.vocabulary, quoted=quoted,
                           known=w.folded in self.vocabulary) for w in words(q)]
        return decide(evidence, as_typed=as_typed)

    def spell(self, folded: str) -> str:
        return spelled(folded, (t for t, f in zip(self.texts, self.folded) if folded in f))


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    documents = load_documents([shared_data("diavgeia-decisions.jsonl"), SEEDS], IngestReport())
    texts, folded, stems, df = [], [], [], collections.Counter()
    for doc in documents:
        text = f"{doc.title}\n{doc.body}"
        found = list(words(text))
        texts.append(text)
        folded.append({w.folded for w in found})
        stems.append({w.term for w in found if w.term})
        df.update(folded[-1])
    return Corpus(texts, folded, stems, GreekVocabulary(dict(df)))


def only(plan: CorrectionPlan):
    (decision,) = plan.decisions
    return decision


def test_a_real_word_the_index_lacks_is_never_replaced(corpus):
    assert corpus.hits(fold("λυμάτων")) == 0
    decision = only(corpus.plan("λυμάτων"))
    assert decision.action is Action.SUGGESTED  # «θεμάτων» at most as «Μήπως εννοείτε»
    plan = corpus.plan("αποχέτευση λυμάτων")
    assert plan.applied == {}
    assert plan.corrected_query("αποχέτευση λυμάτων", corpus.spell) is None


def test_a_non_word_is_corrected_and_announced(corpus):
    plan = corpus.plan("δημαχρος")
    assert only(plan).action is Action.CORRECTED and plan.applied and only(plan).replacement == "δημαρχοσ"
    assert plan.corrected_query("δημαχρος", corpus.spell) == "δήμαρχος"
    assert plan.suggested_query("δημαχρος", corpus.spell) is None  # applied, not also suggested
    assert plan.applied["δημαχροσ"].words == ["δημαρχοσ"]  # the best correction alone, not every close word


def test_a_misspelling_finds_no_more_documents_than_the_word(corpus):
    """The corrected query's words are the word's own: «δήμαρχος» finds at least what «δημαχρος» finds."""
    corrected = {w for e in corpus.plan("δημαχρος").applied.values() for w in e.words}
    assert {stem(w) for w in corrected} == {stem(fold("δήμαρχος"))}


def test_greeklish_is_read_as_greek_and_announced(corpus):
    plan = corpus.plan("dimarxos")
    assert only(plan).action is Action.CORRECTED
    assert plan.corrected_query("dimarxos", corpus.spell) == "δήμαρχος"


def test_a_word_with_good_hits_gets_no_suggestion(corpus):
    assert corpus.hits(fold("κορωνοϊός")) >= FEW_HITS
    plan = corpus.plan("κορωνοϊός")
    assert only(plan).action is Action.AS_TYPED
    assert plan.suggested_query("κορωνοϊός", corpus.spell) is None
    assert corpus.plan("δήμαρχος απόφαση").suggested == {}


def test_quoted_words_and_the_as_typed_switch_correct_nothing(corpus):
    for plan in (corpus.plan("λυμάτων", quoted=True), corpus.plan("δημαχρος", quoted=True),
                 corpus.plan("δημαχρος", as_typed=True), corpus.plan("dimarxos", as_typed=True)):
        assert only(plan).action is Action.AS_TYPED


def test_a_quoted_copy_of_a_corrected_word_stays_as_typed(corpus):
    q = 'δημαχρος "δημαχρος"'
    quoted = gather("δημαχροσ", 0, lambda: corpus.vocabulary, quoted=True)
    plan = decide([gather("δημαχροσ", 0, lambda: corpus.vocabulary), quoted])
    assert plan.corrected_query(q, corpus.spell) == 'δήμαρχος "δημαχρος"'


def test_only_the_word_that_finds_little_changes_in_a_query(corpus):
    q = "απόφαση δημαχρος"
    plan = corpus.plan(q)
    assert [d.action for d in plan.decisions] == [Action.AS_TYPED, Action.CORRECTED]
    assert plan.corrected_query(q, corpus.spell) == "απόφαση δήμαρχος"


def test_a_suggestion_is_in_the_documents_spelling_and_normal_case(corpus):
    """One decision writes «θεµάτων» with a MICRO SIGN; the suggestion never does, nor «Θεμάτων» mid-query."""
    assert any("θεµάτων" in text for text in corpus.texts)
    assert corpus.plan("αποχέτευση λυμάτων").suggested_query("αποχέτευση λυμάτων", corpus.spell) == "αποχέτευση θεμάτων"
    assert spelled("δημαρχοσ", ["Ο ΔΗΜΑΡΧΟΣ", "Ο Δήμαρχος Χανίων", "ο δήμαρχος"]) == "δήμαρχος"
    assert spelled("χανιων", ["Ο Δήμαρχος Χανίων", "ΔΗΜΟΣ ΧΑΝΙΩΝ"]) == "Χανίων"  # a name keeps its capital
    assert spelled("ευρυτερα", ["Ευρύτερα μέτρα.", "ΕΥΡΥΤΕΡΑ ΜΕΤΡΑ"]) == "ευρύτερα"  # a title's capital
    assert spelled("θεματων", ["των θεµάτων"]) == "θεμάτων"  # µ U+00B5 in, μ U+03BC out
    assert spelled("δημαρχοσ", ["\u2206ΗΜΑΡΧΟΣ"]) == "δημαρχος"
    assert spelled("δημαρχοσ", []) == "δημαρχος"


def test_words_typed_right_need_neither_the_vocabulary_nor_the_lexicon(corpus):
    """An index word, a word with many hits and a quoted word are decided without reading either."""
    def unread():
        raise AssertionError("the vocabulary was read")

    def no_lexicon(word: str) -> bool:
        raise AssertionError("the lexicon was read")

    for folded, hits, quoted, known in (("δημαρχοσ", 7, False, True), ("κορωνοιοσ", 30, False, False),
                                        ("λυματων", 0, True, False)):
        evidence = gather(folded, hits, unread, quoted=quoted, known=known, is_lexicon_word=no_lexicon)
        assert only(decide([evidence])).action is Action.AS_TYPED
    assert gather("λυματων", 0, lambda: corpus.vocabulary).is_word is True  # the lexicon knows it


def test_a_repeated_word_is_spelled_once(corpus):
    """Spelling reads documents: «dimarxos OR dimarxos OR …» 500 times asks for δήμαρχος's spelling once."""
    asked: list[str] = []

    def spell(folded: str) -> str:
        asked.append(folded)
        return corpus.spell(folded)

    q = " OR ".join(["dimarxos"] * 500)
    assert corpus.plan("dimarxos").corrected_query(q, spell) == " OR ".join(["δήμαρχος"] * 500)
    assert asked == ["δημαρχοσ"]
