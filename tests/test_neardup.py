"""Near-duplicate groups on the real Diavgeia decisions: templated decisions share a key, different ones do not."""
from __future__ import annotations

import collections

import pytest

from search.documents import Document
from search.ingest import IngestReport, load_documents
from search.neardup import content_words, group_keys, same_up_to_numbers, shingles
from tests.conftest import shared_data


def test_numbers_dates_and_codes_do_not_count():
    a = "Ανάληψη και δέσμευση πίστωσης ποσού 80,00 € από τον λογαριασμό 2420403001 του Φ.1015-101, 11-12-2020"
    b = "Ανάληψη και δέσμευση πίστωσης ποσού 1.950,00 € από τον λογαριασμό 2190201002 του Φ.1015-904, 3-4-2021"
    assert shingles(a) == shingles(b)


def test_the_same_template_groups_and_a_different_announcement_does_not():
    docs = [
        Document(id="b", title="Έγκριση 9ης τροποποίησης προϋπολογισμού οικονομικού έτους 2020 του Γενικού Νοσοκομείου Τρίπολης", body=""),
        Document(id="a", title="Έγκριση 8ης τροποποίησης προϋπολογισμού οικονομικού έτους 2020 του Γενικού Νοσοκομείου Τρίπολης", body=""),
        Document(id="c", title="Διακοπή υδροδότησης στην Τοπική Κοινότητα Αγίου Νικολάου λόγω βλάβης του δικτύου", body=""),
    ]
    keys = group_keys(docs)
    assert [keys.get(d.id) for d in docs] == ["b", "b", None]  # the key is the first member given (its leader)


def test_a_replaced_word_is_another_announcement_an_added_one_is_not():
    chania = content_words("Έγκριση 4ης τροποποίησης προϋπολογισμού 2020 του Γενικού Νοσοκομείου Χανίων")
    zakynthos = content_words("Έγκριση 6ης τροποποίησης προϋπολογισμού 2020 του Γενικού Νοσοκομείου Ζακύνθου")
    labelled = content_words("ΘΕΜΑ: Έγκριση 5ης τροποποίησης προϋπολογισμού 2021 του Γενικού Νοσοκομείου Χανίων")
    assert not same_up_to_numbers(chania, zakynthos)
    assert same_up_to_numbers(chania, labelled)
    assert content_words("αριθμ. πρωτ. Β3γ/οικ.89600/19-12-2019") == content_words("αριθμ. πρωτ. Β3γ/89600")


@pytest.fixture(scope="module")
def decisions():
    return list(load_documents([shared_data("diavgeia-decisions.jsonl")], IngestReport()))


# Pairs checked by hand (ids of ../shared/data/diavgeia-decisions.jsonl): the same decision text up to
# amounts, ordinals and reference numbers, or the same decision from two collections.
SAME_ANNOUNCEMENT = [
    ("diavgeia:66ΘΕ465ΦΥΟ-ΝΝΡ", "diavgeia:9ΚΓΥ465ΦΥΟ-ΚΑΒ"),  # 9th and 8th budget amendment, Tripoli hospital
    ("diavgeia:6ΙΒΛ465ΦΥΟ-ΓΧΞ", "diavgeia:9Ψ4Η465ΦΥΟ-ΡΗ0"),  # «Κατανομή ποσού» 43,214.00 and 26,748.55 €
    ("diavgeia:6ΧΔ9465ΦΥΟ-ΓΑΓ", "diavgeia:ΨΥ6Α465ΦΥΟ-5ΣΠ"),  # credit of 49 and of 100 million €, same account
    ("diavgeia:ΩΕΜΖ465ΦΥΟ-ΡΔ3", "moh_doccano:259"),  # the same revocation, metadata record and full text
    ("diavgeia:6ΘΑΧ465ΦΥΟ-ΝΧ7", "diavgeia:6ΨΦΖ465ΦΥΟ-ΠΦΒ"),  # 6th and 7th budget amendment, Zakynthos hospital
]
# One template, different announcements: the estimate alone (threshold 0.8) grouped each pair.
DIFFERENT_ANNOUNCEMENTS = [
    ("diavgeia:68Σ9465ΦΥΟ-ΧΓΦ", "diavgeia:6ΘΑΧ465ΦΥΟ-ΝΧ7"),  # budget amendments of the Chania and Zakynthos hospitals
    ("diavgeia:ΨΚΙΞ465ΦΥΟ-8ΣΤ", "diavgeia:ΨΟ91465ΦΥΟ-ΩΥΤ"),  # committees for Laboratory and for Medical Genetics
    ("diavgeia:619Φ465ΦΥΟ-80Χ", "diavgeia:940Λ465ΦΥΟ-Κ8Ω"),  # the same allocation to Ilia and to Kilkis
]


def test_real_templated_decisions_share_a_group(decisions, figure):
    keys = group_keys(decisions)
    sizes = collections.Counter(keys.values())
    for first, second in SAME_ANNOUNCEMENT:
        assert keys.get(first) is not None and keys.get(first) == keys.get(second)
    for first, second in DIFFERENT_ANNOUNCEMENTS:
        assert keys.get(first, first) != keys.get(second, second)
    budget, credit = SAME_ANNOUNCEMENT[0][0], SAME_ANNOUNCEMENT[2][0]
    assert keys[budget] != keys[credit]
    words_of = {d.id: content_words(f"{d.title}\n{d.body}") for d in decisions if d.id in keys}
    members = collections.defaultdict(list)
    for doc_id, key in keys.items():
        members[key].append(words_of[doc_id])
    assert all(same_up_to_numbers(a, b) for group in members.values() for a in group for b in group)
    largest, size = sizes.most_common(1)[0]
    figure(f"neardup: {len(decisions)} decisions -> {len(keys)} in {len(sizes)} groups, "
           f"{len(decisions) - len(keys) + len(sizes)} results once collapsed; largest group {size} "
           f"({next(d.title for d in decisions if d.id == largest)[:60]}…)")
