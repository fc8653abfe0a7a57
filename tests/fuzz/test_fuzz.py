"""Seeded mutation fuzzing of every route (issue 3): no input yields a 5xx, a hang, or an error that is not an
OperationOutcome with a text. Request number N is seed corpus entry N mod len(corpus), mutated by
random.Random(N); blocks of requests share one fresh app. See docs/fuzzing.md to replay a seed or run more."""
from __future__ import annotations

import os
import random

import pytest

from .corpus import seed_corpus
from .mutate import mutate
from .oracle import Hang, caught_verdict, logged_errors, send, verdict

ROUNDS = int(os.environ.get("KODEBRO_FUZZ_ROUNDS", "24"))          # seed blocks
BLOCK = int(os.environ.get("KODEBRO_FUZZ_BLOCK", "250"))           # requests per block
FIRST = int(os.environ.get("KODEBRO_FUZZ_FIRST", "0"))             # first seed (move the window to explore more)
ONLY = os.environ.get("KODEBRO_FUZZ_SEED")                          # replay one seed on a fresh app
MAX_REPORTED = 8

CORPUS = seed_corpus()


def fuzzed(seed: int):
    """The request of one seed, with the labels of its mutations."""
    rng = random.Random(seed)
    return mutate(CORPUS[seed % len(CORPUS)], rng)


def _play(client, seed: int) -> str | None:
    req, labels = fuzzed(seed)
    with logged_errors() as caught:
        try:
            resp = send(client, req)
        except Hang as e:
            problem = str(e)
        except Exception as e:  # the test client itself failed: still a finding worth reading
            problem = f"{type(e).__name__} raised through the test client: {e}"
        else:
            problem = verdict(req, resp) or caught_verdict(caught)
    if problem is None:
        return None
    return (f"seed {seed} (KODEBRO_FUZZ_SEED={seed}) mutations {labels}: {problem}\n"
            f"  request: {req.describe(1500)}")


def test_seed_corpus_keeps_the_invariants(fuzz_client_factory):
    """The unmutated seeds first: a failure here is not the fuzzer's doing."""
    client = fuzz_client_factory()
    failures = []
    for i, req in enumerate(CORPUS):
        with logged_errors() as caught:
            problem = verdict(req, send(client, req)) or caught_verdict(caught)
        if problem:
            failures.append(f"corpus[{i}]: {problem}\n  request: {req.describe(1500)}")
    assert not failures, "\n\n".join(failures[:MAX_REPORTED])


def _blocks():
    if ONLY is not None:
        return [pytest.param(int(ONLY), 1, id=f"seed-{ONLY}")]
    return [pytest.param(FIRST + b * BLOCK, BLOCK, id=f"seeds-{FIRST + b * BLOCK}-{FIRST + (b + 1) * BLOCK - 1}")
            for b in range(ROUNDS)]


@pytest.mark.parametrize("start,size", _blocks())
def test_fuzz_block(fuzz_client_factory, start, size):
    client = fuzz_client_factory()
    failures = []
    for seed in range(start, start + size):
        problem = _play(client, seed)
        if problem:
            failures.append(problem)
    assert not failures, f"{len(failures)} of {size} requests broke an invariant:\n\n" + \
        "\n\n".join(failures[:MAX_REPORTED])
