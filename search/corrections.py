"""The correction policy: which query words are searched as typed, corrected, or only given a suggestion.

Data in, decision out, so any backend can use it and tests need no index.  Per plain (unquoted) word
the caller gathers a `WordEvidence` (see `gather`): the folded form, the documents the word finds by
itself as typed, whether it is a real Greek word (the el_GR lexicon, `search.lexicon`, or the index's
own vocabulary), and the candidates `greeklish.expand` finds.  `decide` turns the evidence of a query
into a `CorrectionPlan`: per word, one of

- AS_TYPED: searched as typed.
- CORRECTED: the results are for the replacement; the page says «Εμφανίζονται αποτελέσματα για … ·
  Αναζήτηση μόνο για …» and the second link searches as typed (`AS_TYPED_PARAMETER`).
- SUGGESTED: the results stay as typed (possibly none); a «Μήπως εννοείτε» candidate is offered.

The rules (issue 14), in the order `_decide_word` applies them:

1. Inside quotes, and when the user asked for the query as typed, nothing is corrected or read as
   Greeklish: a phrase is the folded words as typed.
2. A word in Latin letters with a Greeklish reading is read as Greek (applied and announced):
   «dimarxos» is δήμαρχος.  `expand` already leaves a Latin term of the documents («covid») alone,
   by its share beside the Greek reading (greeklish.LATIN_TERM_SHARE), so no hit count applies here.
3. A Greek word that finds FEW_HITS documents or more by itself is searched as typed, with no
   suggestion, whatever the lexicon says: the documents use it (its stem), so «κορωνοϊός» with 30
   documents is left alone.  So a query whose every Greek word has good hits never gets a suggestion.
4. A real Greek word (lexicon or index vocabulary) is never replaced: «λυμάτων», which the index
   lacks, gives 0 results and at most a suggestion, never results for «θεμάτων».
5. A Greek non-word with a close index word is corrected (applied and announced): «δημαχρος» is
   δήμαρχος, and only δήμαρχος: the query runs with the best correction alone, not with every close
   word ORed (`expand` offers up to three: δημαρχοσ, δημαρχου), so a misspelling never finds more
   documents than the word it stands for.  Greeklish keeps all its readings: one Latin spelling
   stands for several Greek words, and the reading the user meant is among them.

Why a suggestion needs the whole query to find results, and who checks it: the plan knows words,
not how they combine («αποχέτευση θεμάτων» suggests two real words that never meet), so the engine
runs `CorrectionPlan.suggested_query` and shows it only when it finds documents.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from . import lexicon
from .analysis import WORD_PATTERN, Word, fold, is_greek, words
from .answers import Correction
from .greeklish import Expansion, GreekVocabulary, expand, final_sigma, is_latin_word
from .normalizers import strip_invisible, symbols_to_letters
from .querylang import Clause
from .request import AS_TYPED_PARAMETER

# A word "finds little" below this many documents, and only then may it be corrected or suggested.
# Why 5: a word that 5 or more documents use is a word of the documents, typo or not, and replacing
# it would hide them («κορωνοϊός» finds 30 of the 1,096 ingested Diavgeia decisions and seeds by its
# stem, though neither the lexicon nor the index has that exact form).  Below 5, a non-word is a typo.
FEW_HITS = 5
# Query words read as Greeklish or corrected, per query.
MAX_EXPANDED_WORDS = 8


class Action(Enum):
    """What a query word becomes: searched as typed, corrected (announced), or only suggested."""

    AS_TYPED = "as_typed"
    CORRECTED = "corrected"
    SUGGESTED = "suggested"


@dataclass(frozen=True)
class WordEvidence:
    """What the policy knows about one query word."""

    folded: str
    hits: int  # documents the word finds by itself as typed (its stem or its exact form)
    is_word: bool | None  # a real Greek word (el_GR lexicon or index vocabulary); None: not looked up (see gather)
    expansion: Expansion | None = None  # Greeklish readings or misspelling corrections (greeklish.expand)
    best_hits: int = 0  # documents that hold the expansion's best word (its index document frequency)
    quoted: bool = False  # inside a "phrase"


@dataclass(frozen=True)
class WordDecision:
    folded: str
    action: Action
    expansion: Expansion | None = None  # set for CORRECTED and SUGGESTED

    @property
    def replacement(self) -> str | None:
        """The folded word shown instead of the typed one, for CORRECTED and SUGGESTED."""
        return self.expansion.best if self.expansion is not None else None


@dataclass(frozen=True)
class CorrectionPlan:
    """The decision for every plain word of a query, in query order."""

    decisions: tuple[WordDecision, ...]

    def _with(self, action: Action) -> dict[str, Expansion]:
        return {d.folded: d.expansion for d in self.decisions if d.action is action and d.expansion is not None}

    @property
    def applied(self) -> dict[str, Expansion]:
        """Folded word -> its expansion, for the words the query is run with corrected (the query builder's input)."""
        return self._with(Action.CORRECTED)

    @property
    def suggested(self) -> dict[str, Expansion]:
        """Folded word -> its expansion, for the words only a «Μήπως εννοείτε» offers."""
        return self._with(Action.SUGGESTED)

    def corrected_query(self, q: str, spell: Callable[[str], str]) -> str | None:
        """The query the results are for («δήμαρχος» for «δημαχρος»), or None when nothing was corrected."""
        return _rewrite(q, self.applied, spell)

    def suggested_query(self, q: str, spell: Callable[[str], str]) -> str | None:
        """The «Μήπως εννοείτε» query: corrected words and suggested ones replaced; None without suggestions.

        The engine shows it only when it finds documents itself (see the module docstring).
        """
        if not self.suggested:
            return None
        return _rewrite(q, {**self.applied, **self.suggested}, spell)


def decide(evidence: Iterable[WordEvidence], as_typed: bool = False) -> CorrectionPlan:
    """The plan for a query's words; `as_typed` (the «Αναζήτηση μόνο για …» link) corrects nothing."""
    return CorrectionPlan(tuple(_decide_word(e, as_typed) for e in evidence))


def _decide_word(word: WordEvidence, as_typed: bool) -> WordDecision:
    keep = WordDecision(word.folded, Action.AS_TYPED)
    if word.quoted or as_typed or word.expansion is None:
        return keep
    if word.expansion.kind == "greeklish":
        return WordDecision(word.folded, Action.CORRECTED, word.expansion)
    if word.hits >= FEW_HITS or word.best_hits <= word.hits:
        return keep  # a word of the documents, or a candidate that finds no more than the word itself
    if word.is_word:
        return WordDecision(word.folded, Action.SUGGESTED, word.expansion)
    best = Expansion(word.expansion.kind, word.expansion.alternatives[:1], word.expansion.best)
    return WordDecision(word.folded, Action.CORRECTED, best)


def gather(folded: str, hits: int, vocabulary: Callable[[], GreekVocabulary], quoted: bool = False,
           known: bool = False, is_lexicon_word: Callable[[str], bool] = lexicon.is_greek_word) -> WordEvidence:
    """The evidence for one folded query word: `hits` is what the caller's index says it finds as typed.

    `vocabulary` is called only when the decision depends on it, and `known` (the index holds the
    word's exact form, which a caller can ask its index without the vocabulary) spares that call for
    the words typed right: so a plain query never waits for the vocabulary to be read.  For the same
    reason quoted words and Greek words with FEW_HITS or more are not looked up at all (`is_word` is
    None: rules 1 and 3 keep them whatever they are).  The lexicon is consulted only for Greek words
    with no exact form in the index (the first lookup loads it, ~1.5 s per process).
    """
    greek = is_greek(folded)
    if quoted:
        return WordEvidence(folded, hits, is_word=known or None, quoted=True)
    if greek and (known or hits >= FEW_HITS):
        return WordEvidence(folded, hits, is_word=known or None)  # expand() has nothing for an index word
    words = vocabulary()
    is_word = folded in words or (greek and is_lexicon_word(folded))
    expansion = expand(folded, words) if hits < FEW_HITS or is_latin_word(folded) else None
    best_hits = words.df.get(expansion.best, 0) if expansion is not None else 0
    return WordEvidence(folded, hits, is_word, expansion, best_hits)


def _query_words(clauses: Sequence[Clause]) -> Iterator[tuple[Word, bool]]:
    """(word, quoted) for each word a correction may concern, alternatives and excluded words too.

    Not a prefix* (it is a prefix, not a word) nor a Greek stopword (the query drops it).
    """
    pending = list(reversed(clauses))
    while pending:
        clause = pending.pop()
        pending.extend(reversed(clause.alternatives))
        plain = clause.words[:-1] if clause.prefix else clause.words
        for word in plain:
            if word.term is not None or word.folded.isascii():
                yield word, clause.quoted


def correction_plan(clauses: Sequence[Clause], hits: Callable[[Word], int], known: Callable[[str], bool],
                    vocabulary: Callable[[], GreekVocabulary], as_typed: bool = False) -> CorrectionPlan:
    """The correction plan of a query, from what a backend's index answers: `hits` (documents a word
    finds by itself as typed), `known` (the index holds this folded word) and `vocabulary`.

    Every backend calls this one function with its own three answers, so a query is corrected alike
    on all of them.  At most MAX_EXPANDED_WORDS words are looked up: a pasted paragraph is searched as
    typed, not read word by word as Greeklish.  `vocabulary` is only called when a word is not in the
    index (gather), so a query typed right never waits for the vocabulary's reading.
    """
    if as_typed:
        return decide((), as_typed=True)
    seen: dict[str, tuple[Word, bool]] = {}
    for word, quoted in _query_words(clauses):
        if word.folded in seen:  # quoted only if every copy is: a quoted copy of a corrected word stays as typed
            seen[word.folded] = (seen[word.folded][0], seen[word.folded][1] and quoted)
        elif len(seen) < MAX_EXPANDED_WORDS:
            seen[word.folded] = (word, quoted)
    evidence = []
    for folded, (word, quoted) in seen.items():
        is_known = is_greek(folded) and known(folded)
        evidence.append(gather(folded, hits(word), vocabulary, quoted=quoted, known=is_known))
    return decide(evidence)


def answer_corrections(q: str, plan: CorrectionPlan, spell: Callable[[str], str],
                       finds: Callable[[str], bool]) -> tuple[Correction | None, str | None]:
    """The applied correction (or else the suggestion) and the «Μήπως εννοείτε» query of an answer.

    `spell` is how the backend's documents spell a folded word (`spelled` over a few of them), `finds`
    whether a query as typed finds a document the request's filters let through: the suggestion is
    offered only if it finds documents itself, since the plan knows words, not how they combine
    («αποχέτευση θεμάτων» finds nothing though both words are in the index).
    """
    suggestion = plan.suggested_query(q, spell)
    if suggestion is not None and not finds(suggestion):
        suggestion = None
    corrected = plan.corrected_query(q, spell)
    if corrected is not None:
        return Correction(applied=True, query=corrected), suggestion
    return (Correction(applied=False, query=suggestion) if suggestion else None), suggestion


_QUOTED = re.compile(r'"[^"]*"')


def _rewrite(q: str, replaced: Mapping[str, Expansion], spell: Callable[[str], str]) -> str | None:
    """The typed query with each replaced word in its spelled form, the rest of the text (quotes too) as typed."""
    if not replaced:
        return None
    quoted = [m.span() for m in _QUOTED.finditer(q)]
    # Each replaced word is spelled once, however often q repeats it (spelling reads documents).
    spellings = {folded: spell(expansion.best) for folded, expansion in replaced.items()}
    pieces, cursor = [], 0
    for word in words(q):
        spelling = spellings.get(word.folded)
        if spelling is not None and not any(start < word.start < end for start, end in quoted):
            pieces += [q[cursor:word.start], spelling]
            cursor = word.end
    return "".join(pieces) + q[cursor:] if pieces else None


# Documents read to learn how a replacement word is spelled (`spelled`): its commonest lower-case form
# among them.  A few are enough evidence for a word's spelling, and reading the title and body of more
# costs every corrected query time for nothing.
SPELLING_DOCUMENTS = 5


def speller(holding: Callable[[str], Sequence[tuple[str, str]]]) -> Callable[[str], str]:
    """How a backend's documents spell a folded word: `spelled` over the titles, then the stored body
    heads, of the first SPELLING_DOCUMENTS documents in writing order that hold it, `holding(folded)`
    giving their (title, body head) pairs.  Titles first: short, and often enough.  `holding` is
    called only when `spelled` reads past the titles' start, i.e. once per word spelled.
    """
    def texts(folded: str) -> Iterator[str]:
        found = holding(folded)
        yield from (title for title, _ in found)
        yield from (body for _, body in found)

    return lambda folded: spelled(folded, texts(folded))


# Lower-case occurrences after which `spelled` reads no further text: the lower-case form wins anyway,
# and three agree on its accents.
LOWER_CASE_EVIDENCE = 3


def spelled(folded: str, texts: Iterable[str]) -> str:
    """How the documents spell a folded word, in normal case: «θεμάτων», never «θεµάτων» or «Θεμάτων» mid-query.

    The surface forms of the word in `texts` are made clean first (NFKC turns the MICRO SIGN µ into μ,
    `symbols_to_letters` the INCREMENT ∆ into Δ, invisible characters go).  Then, as truecasing does:
    the commonest form written in lower case wins, since that is how the word is spelled in a
    sentence; else a capitalized form met inside a sentence («ο Δήμαρχος Χανίων») marks a name, which
    keeps its capital; else the commonest form is lowered (a capital that only opens a title or a
    sentence, «Ευρύτερα μέτρα», or capitals, «ΔΗΜΑΡΧΟΣ», usually unaccented), the accented one of
    equals.  Without any occurrence, the folded word with a final ς.  The more texts, the better the
    evidence: the engine passes a few documents that hold the word, lazily, since reading stops at
    LOWER_CASE_EVIDENCE lower-case occurrences (reading whole bodies took ~60 ms a word).
    """
    forms: Counter[str] = Counter()
    names: Counter[str] = Counter()
    lower_seen = 0
    for text, surface, start in _occurrences(folded, texts):
        form = _clean(surface)
        forms[form] += 1
        if form[:1].isupper() and form[1:] == form[1:].lower() and not _opens_sentence(text, start):
            names[form] += 1
        lower_seen += form == form.lower()
        if lower_seen >= LOWER_CASE_EVIDENCE:
            break
    if not forms:
        return final_sigma(folded)
    lower = Counter({f: n for f, n in forms.items() if f == f.lower()})
    for found in (lower, names):
        if found:
            return final_sigma(max(found, key=lambda f: (found[f], _accents(f))))
    return final_sigma(max(forms, key=lambda f: (forms[f], _accents(f))).lower())


_WORD = re.compile(WORD_PATTERN)


def _occurrences(folded: str, texts: Iterable[str]) -> Iterator[tuple[str, str, int]]:
    """(text, surface form, start) of each occurrence of a folded word, reading the texts lazily.

    Words are matched as analysis.words matches them, but not stemmed: a third of the cost.
    """
    for text in texts:
        for match in _WORD.finditer(text):
            if fold(match.group()) == folded:
                yield text, match.group(), match.start()


_SENTENCE_OPENERS = frozenset(".!;?:·«»\"“”(\n")


def _opens_sentence(text: str, start: int) -> bool:
    """True at the start of a text, a line or a sentence, or after an opening quote or parenthesis."""
    before = text[:start].rstrip(" \t")
    return not before or before[-1] in _SENTENCE_OPENERS


def _clean(surface: str) -> str:
    return unicodedata.normalize("NFKC", symbols_to_letters(strip_invisible(surface)))


def _accents(form: str) -> int:
    """Accented letters: of two equally common forms, the accented one is the better spelling."""
    return sum(1 for ch in unicodedata.normalize("NFD", form) if unicodedata.combining(ch))


__all__ = [
    "AS_TYPED_PARAMETER",
    "Action",
    "CorrectionPlan",
    "FEW_HITS",
    "MAX_EXPANDED_WORDS",
    "SPELLING_DOCUMENTS",
    "WordDecision",
    "WordEvidence",
    "answer_corrections",
    "correction_plan",
    "decide",
    "gather",
    "spelled",
    "speller",
]
