"""The Whoosh analyzers: search.analysis's folding and stemming as a Whoosh token chain.

The index is built and queried with the same chain as `search.analysis.terms`,
so a query's terms are always the terms the index holds.
"""
from __future__ import annotations

from whoosh.analysis import Filter, RegexTokenizer, StopFilter

from ...analysis import GREEK_STOPWORDS, WORD_PATTERN, fold, stem


class FoldFilter(Filter):
    """Applies `search.analysis.fold` to every token."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold(token.text)
            yield token


class GreekStemFilter(Filter):
    """Applies `search.analysis.stem` to every token (Latin words and numbers pass unchanged)."""

    def __call__(self, tokens):
        for token in tokens:
            if not token.stopped:
                token.text = stem(token.text)
            yield token


def word_tokenizer() -> RegexTokenizer:
    return RegexTokenizer(WORD_PATTERN)


def greek_analyzer():
    """Stemmed analyzer for the ranked text fields (title, body)."""
    return word_tokenizer() | FoldFilter() | StopFilter(stoplist=GREEK_STOPWORDS, minsize=1, renumber=False) | GreekStemFilter()


def folded_analyzer():
    """Unstemmed analyzer for phrases, prefixes and spelling: real words, folded.

    Stopwords stay, so an exact phrase such as "στο επίκεντρο" matches as typed.
    """
    return word_tokenizer() | FoldFilter()
