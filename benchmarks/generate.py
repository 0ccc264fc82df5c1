"""A deterministic, seeded generator of realistic municipal announcements, for speed at scale.

    python benchmarks/generate.py --size 10000 [--seed 7] [--out PATH]

Writes SIZE announcements as JSON Lines in the Diavgeia schema that
`dimos-search reindex` ingests (id, title, body, date, municipality, officials,
doc_type, source, meta).  Everything real comes from ../shared/data:

- municipalities (issuing `official_name`, e.g. "Δήμος Χανίων"), their regions and
  2023 mayors from municipalities.csv, municipalities drawn in proportion to the
  square root of their population;
- officials: the mayor, two to four deputy mayors per municipality (real names:
  mayors of other municipalities), the laws' signing ministers as deputy ministers,
  and one regional governor per region (again real mayors' names);
- sentences from the real corpora: Diavgeia decision bodies and the seeds (cleaned by
  the ingestion), and the laws split into articles (benchmarks/corpus.py);
- titles from the laws' article headings and the Diavgeia titles;
- dates spread over ten years (2015-2024).

The text names the municipality and the officials with their roles the way
announcements do ("Ο δήμαρχος Χανίων, Παναγιώτης Σημανδηράκης, ..."), so the
ingestion's extraction meets realistic prose.  The same size and seed give the
same bytes; the default output (benchmarks/.cache/, git-ignored) is written once
and reused by every engine and every run.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import law_articles  # noqa: E402
from benchmarks.engines import read_documents  # noqa: E402,F401 (the loader of generated files)
from search.ingest import IngestReport, load_documents  # noqa: E402
from search.names import first_name, parse_person  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
CACHE = Path(__file__).resolve().parent / ".cache"
DEFAULT_SEED = 7
FIRST_DAY = dt.date(2015, 1, 1)
DAYS = (dt.date(2024, 12, 31) - FIRST_DAY).days + 1

DOC_TYPES = ("Ανακοίνωση", "Δελτίο Τύπου", "Πρόσκληση", "Απόφαση Δημάρχου", "Προκήρυξη", "Πρόγραμμα")
# Deputy mayors' portfolios and deputy ministers' ministries, as announcements write them.
PORTFOLIOS = (
    "Οικονομικών", "Τεχνικών Υπηρεσιών", "Καθαριότητας", "Πολιτισμού", "Κοινωνικής Πολιτικής",
    "Παιδείας", "Πολιτικής Προστασίας", "Ψηφιακής Διακυβέρνησης", "Τουρισμού", "Αθλητισμού",
    "Περιβάλλοντος", "Διοικητικών Υπηρεσιών", "Πρασίνου", "Υγείας",
)
MINISTRIES = (
    "Εσωτερικών", "Ψηφιακής Διακυβέρνησης", "Υγείας", "Παιδείας και Θρησκευμάτων", "Υποδομών και Μεταφορών",
    "Περιβάλλοντος και Ενέργειας", "Εργασίας και Κοινωνικής Ασφάλισης", "Πολιτισμού", "Τουρισμού",
    "Κλιματικής Κρίσης και Πολιτικής Προστασίας", "Ανάπτυξης", "Κοινωνικής Συνοχής και Οικογένειας",
)
# Sentences worth reusing: a capital first letter, a full stop, mostly letters.
_SENTENCE_END = re.compile(r"(?<=[.;!·])\s+")
MIN_SENTENCE, MAX_SENTENCE = 40, 360
# Sentences cut at an abbreviation: "της παρ.", "υποπερ.", "Τ.Κ.".
_ABBREVIATION_END = re.compile(
    r"(?:^|\s)(?:(?:[^\W\d_]{1,3}\.){2,}|(?:[^\W\d_]{1,4}|παρ|περ|υποπερ|αριθμ|στοιχ|τηλ)\.)$", re.IGNORECASE)
# Math symbols that PDFs put for Greek letters (∆ for Δ, µ for μ): not real text.
_PDF_GLYPHS = set("∆µ")


@dataclass(frozen=True)
class Person:
    name: str  # "Όνομα Επώνυμο"
    male: bool

    @property
    def article(self) -> str:
        return "Ο" if self.male else "Η"


@dataclass(frozen=True)
class Place:
    official_name: str  # "Δήμος Χανίων"
    genitive: str  # "Χανίων"
    region: str  # "Κρήτης"
    mayor: Person
    weight: float


def person_from_record(text: str) -> Person | None:
    """A real name as the sources write it ("ΣΗΜΑΝΔΗΡΑΚΗΣ ΠΑΝΑΓΙΩΤΗΣ", "ΝΙΚΗ ΚΕΡΑΜΕΩΣ") as "Όνομα Επώνυμο".

    The project's name parser does it when it knows the first name; otherwise the
    sources' order (surname first) is assumed and each word title-cased.
    """
    text = re.sub(r"\s*\(.*?\)", "", text).strip()
    parsed = parse_person(text)
    if parsed is not None:
        entry = first_name(parsed.first)
        return Person(parsed.display, entry.male if entry else True)
    words = text.split()
    if len(words) < 2:
        return None
    given, surname = words[-1], " ".join(words[:-1])
    title = " ".join("-".join(p[:1] + p[1:].lower() for p in w.split("-")) for w in (given, surname))
    return Person(title, not given.lower().endswith(("α", "η")))


def _region_name(upper: str) -> str:
    """"ΑΝΑΤΟΛΙΚΗΣ ΜΑΚΕΔΟΝΙΑΣ ΚΑΙ ΘΡΑΚΗΣ" -> "Ανατολικης Μακεδονιας και Θρακης" (the CSV has no accents)."""
    return " ".join("και" if w == "ΚΑΙ" else w[:1] + w[1:].lower() for w in upper.split())


def load_places(path: Path) -> list[Place]:
    places = []
    with open(path, encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            mayor = person_from_record(row["mayor_2023"])
            if mayor is None:
                continue
            places.append(Place(row["official_name"], row["name_genitive"], _region_name(row["region"]), mayor,
                                math.sqrt(float(row["population_2021"] or 1))))
    return places


def _sentences(text: str) -> Iterator[str]:
    for sentence in _SENTENCE_END.split(" ".join(text.split())):
        letters = sum(c.isalpha() for c in sentence)
        upper = sum(c.isupper() for c in sentence)
        start = sentence.lstrip('«"(')[:2]  # a capitalised word, not a code ("Β’/") or a cut ("του άρθρου")
        if not (MIN_SENTENCE <= len(sentence) <= MAX_SENTENCE) or not (start[:1].isupper() and start[1:].islower()):
            continue
        if _ABBREVIATION_END.search(sentence):  # "της παρ." ends an abbreviation, not a sentence
            continue
        if not sentence.endswith(".") or letters < 0.7 * len(sentence) or upper > 0.2 * letters:
            continue
        if "@" in sentence or "http" in sentence or _PDF_GLYPHS.intersection(sentence) or not re.search(r"[α-ω]", sentence):
            continue
        yield sentence


@dataclass(frozen=True)
class Material:
    """The real text the generator draws from."""

    municipal_sentences: list[str]  # Diavgeia bodies and the seeds
    law_sentences: list[str]
    headings: list[str]
    places: list[Place]
    ministers: list[Person]


def load_material(data: Path = DATA) -> Material:
    report = IngestReport()
    # Texts typed in a legacy Greek font ("ΓΗΜΟ΢") are flagged by the ingestion: not sentence material.
    cleaned = [d for d in load_documents([data / "diavgeia-decisions.jsonl", ROOT / "seeds"], report)
               if "garbled" not in d.flags]
    municipal = dict.fromkeys(s for d in cleaned for s in _sentences(d.body))
    laws_path = data / "greek-laws-2023-2024.jsonl"
    law = {}
    headings = dict.fromkeys(d.title for d in cleaned if 20 <= len(d.title) <= 140)
    for article in law_articles(laws_path):
        heading, _, rest = article.body.partition("\n")
        if 20 <= len(heading) <= 140 and heading[0].isupper() and not heading.isupper():
            headings[heading.strip()] = None
        law.update(dict.fromkeys(_sentences(rest)))
    ministers = {}
    with open(laws_path, encoding="utf-8") as lines:
        for line in lines:
            for name in json.loads(line).get("officials") or []:
                person = person_from_record(name)
                if person is not None and parse_person(name) is not None:
                    ministers[person.name] = person
    return Material(list(municipal), list(law), list(headings), load_places(data / "municipalities.csv"),
                    list(ministers.values()))


def _attach(mention: str, text: str) -> str:
    """A mention before real text: "... τόνισε ότι " continues into it, a full sentence precedes it."""
    return mention + (text[0].lower() + text[1:] if mention.endswith("ότι ") else text)


class Generator:
    """Announcements from `Material`, every choice drawn from one seeded random source."""

    def __init__(self, material: Material, seed: int):
        self.material = material
        self.seed = seed
        self.rng = random.Random(seed)
        places = material.places
        self.weights = [p.weight for p in places]
        # Fixed per municipality: its deputy mayors (real names of other mayors) and portfolios.
        self.deputies: dict[str, list[tuple[Person, str]]] = {}
        for place in places:
            count = self.rng.randint(2, 4)
            people = self.rng.sample([p.mayor for p in places if p is not place], count)
            portfolios = self.rng.sample(PORTFOLIOS, count)
            self.deputies[place.official_name] = list(zip(people, portfolios))
        regions = list(dict.fromkeys(p.region for p in places))
        governors = self.rng.sample([p.mayor for p in places], len(regions))
        self.governors = dict(zip(regions, governors))
        self.deputy_ministers = [(m, self.rng.choice(MINISTRIES)) for m in material.ministers]

    def sentence(self) -> str:
        pool = self.material.municipal_sentences if self.rng.random() < 0.4 else self.material.law_sentences
        return self.rng.choice(pool)

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def announcement(self, number: int) -> dict:
        rng = self.rng
        place = rng.choices(self.material.places, self.weights)[0]
        mayor = place.mayor
        deputies = rng.sample(self.deputies[place.official_name], rng.randint(1, 2))
        guest: tuple[Person, str, str] | None = None  # the person, the role, the role after "με τον/την"
        if rng.random() < 0.5:
            if rng.random() < 0.5:
                minister, ministry = rng.choice(self.deputy_ministers)
                guest = (minister, f"υφυπουργός {ministry}", f"υφυπουργό {ministry}")
            else:
                guest = (self.governors[place.region], f"περιφερειάρχης {place.region}",
                         f"περιφερειάρχη {place.region}")
        heading = rng.choice(self.material.headings)
        title = rng.choice((
            heading,
            f"Δήμος {place.genitive}: {heading}",
            f"{rng.choice(DOC_TYPES)} του Δήμου {place.genitive} για: {heading}",
            f"Συνάντηση του δημάρχου {place.genitive} με {'τον' if guest and guest[0].male else 'την'} "
            f"{guest[2]}" if guest else heading,
        ))
        deputy, portfolio = deputies[0]
        paragraphs = [rng.choice((
            f"{mayor.article} δήμαρχος {place.genitive}, {mayor.name}, ανακοινώνει τα εξής. {self.sentence()}",
            f"Σύμφωνα με ανακοίνωση του Δήμου {place.genitive}, {self.sentence()[0].lower()}{self.sentence()[1:]}",
            f"Στη συνεδρίαση του Δημοτικού Συμβουλίου του Δήμου {place.genitive} συμμετείχαν "
            f"{mayor.article.lower()} δήμαρχος {mayor.name} και {deputy.article.lower()} αντιδήμαρχος "
            f"{portfolio} {deputy.name}. {self.sentence()}",
        ))]
        target = int(min(4000, max(300, rng.lognormvariate(7.0, 0.6))))
        length = len(paragraphs[0])
        mentions = [f"{d.article} αντιδήμαρχος {p} του Δήμου {place.genitive}, {d.name}, "
                    f"{rng.choice(('ενημέρωσε ότι', 'τόνισε ότι', 'σημείωσε ότι'))} " for d, p in deputies]
        if guest:
            mentions.append(f"Στην εκδήλωση παρευρέθηκε {'ο' if guest[0].male else 'η'} {guest[1]}, {guest[0].name}. ")
        while length < target:
            paragraph = self.paragraph(rng.randint(1, 3))
            if mentions and rng.random() < 0.5:
                paragraph = _attach(mentions.pop(0), paragraph)
            paragraphs.append(paragraph)
            length += len(paragraph)
        paragraphs.extend(_attach(m, self.sentence()) for m in mentions)
        paragraphs.append(f"Από το Γραφείο Τύπου του Δήμου {place.genitive}.")
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
        officials = [mayor.name, *(d.name for d, _ in deputies)] + ([guest[0].name] if guest else [])
        return {
            "id": f"gen-{self.seed}-{number:06d}",
            "title": title,
            "body": "\n\n".join(paragraphs),
            "date": day.isoformat(),
            "municipality": place.official_name,
            "officials": list(dict.fromkeys(officials)),
            "doc_type": rng.choice(DOC_TYPES),
            "source": "benchmarks/generate.py",
            "meta": {"generator": "benchmarks/generate.py", "seed": self.seed},
        }


def default_path(size: int, seed: int = DEFAULT_SEED) -> Path:
    return CACHE / f"announcements-{size}-seed{seed}.jsonl"


def write_corpus(size: int, seed: int, out: Path, data: Path = DATA) -> Path:
    """Write `size` announcements to `out` (via a temporary file, so a killed run leaves nothing half-written)."""
    generator = Generator(load_material(data), seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + f".partial-{os.getpid()}")
    with open(partial, "w", encoding="utf-8", newline="\n") as handle:
        for number in range(1, size + 1):
            handle.write(json.dumps(generator.announcement(number), ensure_ascii=False) + "\n")
    os.replace(partial, out)
    return out


def ensure_corpus(size: int, seed: int = DEFAULT_SEED, out: Path | None = None) -> Path:
    """The generated corpus for size and seed, written only if it is not there yet."""
    path = out or default_path(size, seed)
    if not path.exists():
        write_corpus(size, seed, path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True, help="number of announcements")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, help="output JSONL (default: benchmarks/.cache/announcements-SIZE-seedS.jsonl)")
    parser.add_argument("--data", type=Path, default=DATA, help="the real data folder (../shared/data)")
    args = parser.parse_args(argv)
    if not (args.data / "municipalities.csv").exists():
        sys.exit(f"{args.data} lacks municipalities.csv: the generator needs the real data of ../shared/data")
    out = args.out or default_path(args.size, args.seed)
    write_corpus(args.size, args.seed, out, args.data)
    print(f"{args.size} announcements (seed {args.seed}) -> {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
