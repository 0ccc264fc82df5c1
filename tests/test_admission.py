"""Costly searches one at a time, so a cheap search is let in while they run (web/admission.py)."""
from __future__ import annotations

import threading

from search.request import SearchRequest
from web.admission import COSTLY_WORK, Admission, search_work

COSTLIEST = SearchRequest(q=" OR ".join(["άρθρο", "νόμος", "υπουργός", "διάταξη", "παράγραφος", "περίπτωση",
                                         "ισχύ", "απόφαση", "δημόσιο", "υπηρεσία", "ρύθμιση", "εφαρμογή"]),
                          per_page=100)
CHEAP = SearchRequest(q="κτηματολόγιο")


def test_the_costliest_request_is_costly_and_a_page_of_the_search_form_is_not():
    assert search_work(COSTLIEST) == 1200 >= COSTLY_WORK
    assert search_work(CHEAP) == 20 < COSTLY_WORK  # 20 results a page, one word
    assert search_work(SearchRequest(q="ανάληψη υποχρέωσης δήμου Χανίων")) < COSTLY_WORK
    assert search_work(SearchRequest(q="άρθρο", per_page=100)) < COSTLY_WORK
    assert search_work(SearchRequest(q='"ανάληψη υποχρέωσης" OR πίστωση', per_page=100)) >= COSTLY_WORK


def test_a_cheap_search_is_let_in_while_a_costly_one_holds_its_slot_and_another_waits():
    admission = Admission(searches=4, costly=1)
    holding, release = threading.Event(), threading.Event()
    second_in = threading.Event()

    def first() -> None:
        with admission.admitted(COSTLIEST):
            holding.set()
            release.wait(30)

    def second() -> None:
        with admission.admitted(COSTLIEST):
            second_in.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert holding.wait(30)
    threads[1].start()
    cheap_in = threading.Event()

    def cheap_search() -> None:
        with admission.admitted(CHEAP):
            cheap_in.set()

    cheap = threading.Thread(target=cheap_search)
    cheap.start()
    assert cheap_in.wait(30)  # let in while the costly slot is taken
    assert not second_in.wait(0.2)  # the second costly search waits for the first
    release.set()
    assert second_in.wait(30)  # and goes on once it is done
    for thread in [*threads, cheap]:
        thread.join(30)


def test_searches_beyond_the_search_slots_wait_for_one():
    admission = Admission(searches=2, costly=1)
    release = threading.Event()
    entered = threading.Semaphore(0)

    def search() -> None:
        with admission.admitted(CHEAP):
            entered.release()
            release.wait(30)

    threads = [threading.Thread(target=search) for _ in range(3)]
    for thread in threads:
        thread.start()
    assert entered.acquire(timeout=30) and entered.acquire(timeout=30)
    assert not entered.acquire(timeout=0.2)  # the third waits for a slot
    release.set()
    assert entered.acquire(timeout=30)
    for thread in threads:
        thread.join(30)
