"""The query forms of benchmarks/quality.py: each one a form a Greek user types, no more changed than meant."""
from benchmarks.quality import (
    Inflector,
    KnownItem,
    Vocabulary,
    form_queries,
    headed_article,
    query_words,
    sample_items,
    unaccented,
    upper_case,
)
from search.documents import Document


def vocabulary(*bodies: str) -> Vocabulary:
    return Vocabulary.of(Document(id=str(n), title="", body=body) for n, body in enumerate(bodies))


def test_accents_and_capitals_as_people_type_them():
    assert unaccented("Καϊτεζίδης") == "Καιτεζιδης"
    assert upper_case("Καϊτεζίδης") == "ΚΑΪΤΕΖΙΔΗΣ"
    assert upper_case("απόφαση") == "ΑΠΟΦΑΣΗ"


def test_other_inflection_moves_the_accent_and_only_to_attested_forms():
    vocab = vocabulary(
        "Ο δήμος και του δήμου.", "του δήμου η απόφαση", "της απόφασης", "της απόφασης",
        "το πρόγραμμα", "του προγράμματος", "του προγράμματος", "Μελά", "Μελά", "των μελών",
    )
    inflect = Inflector(vocab)
    assert inflect("δήμος") == "δήμου"
    assert inflect("ΑΠΟΦΑΣΗ") == "ΑΠΟΦΑΣΗΣ"
    assert inflect("Πρόγραμμα") == "Προγράμματος"
    assert inflect("μελών") == "μελών"  # Μελά is a name, not another form of μέλη
    assert inflect("πλοίο") == "πλοίο"  # πλοίου is not in the corpus


def test_query_words_are_the_rarest_title_words_the_body_holds():
    vocab = vocabulary("κοινή λέξη σπάνια", "κοινή λέξη", "κοινή")
    document = Document(id="d", title="Κοινή λέξη για τη Σπάνια απόφαση", body="κοινή λέξη σπάνια")

    class Two:
        def choice(self, options):
            return 2

    assert query_words(document, vocab, Two()) == ("λέξη", "Σπάνια")


def test_greeklish_and_unchanged_forms():
    item = KnownItem("d", ("Δήμος", "Χανίων"), frozenset({"d"}))
    texts, style = form_queries(item, Inflector(vocabulary("")), seed=1)
    assert texts["as written"] == texts["other inflection"] == "Δήμος Χανίων"
    assert texts["Greeklish"].isascii() and style


def test_law_article_heading_becomes_its_title():
    article = Document(id="law:1/2", title="Νόμος — Άρθρο 2", body="Δημοσιότητα\n\n1. Σε δημοσιότητα υποβάλλονται ...")
    headed = headed_article(article)
    assert (headed.title, headed.body) == ("Δημοσιότητα", "1. Σε δημοσιότητα υποβάλλονται ...")
    assert headed_article(Document(id="law:1/3", title="Νόμος", body="Ένα μόνο κείμενο.")).title == ""


def test_sample_takes_the_decisions_first():
    items = [KnownItem(f"law:1/{n}", ("α", "β"), frozenset()) for n in range(5)]
    items += [KnownItem(f"dec{n}", ("α", "β"), frozenset()) for n in range(3)]
    sample = sample_items(items, 4, seed=1)
    assert [i.source for i in sample] == ["decisions"] * 3 + ["law articles"]
    assert sample == sample_items(items, 4, seed=1)
