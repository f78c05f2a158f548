"""A fixed-seed slice of the differential fuzzer in tests/fuzz (`python -m tests.fuzz`
runs it long). Every program is checked in every mode against central differences and
autograd; a failure message carries the program, so it can be replayed by hand."""
import glob
import os

import pytest
from fuzz import check, generator, replay, runner

SEED = int(os.environ.get("S2S_FUZZ_SEED", "2026"))
PROGRAMS = 24


@pytest.fixture(scope="module")
def workspace():
    space = runner.Workspace()
    yield space
    space.close()


@pytest.fixture(scope="module")
def results(workspace):
    found = [runner.evaluate(workspace, SEED, index, generator.Profile(), check.MODES) for index in range(PROGRAMS)]
    return [result for result in found if result is not None]


def test_the_slice_draws_well_defined_programs(results):
    assert len(results) == PROGRAMS


@pytest.mark.parametrize("mode", check.MODES)
def test_no_wrong_crashing_or_mutating_derivative(results, mode):
    failures = [
        f"program {r.index} (seed {SEED}): {r.outcomes[mode].klass}: {r.outcomes[mode].detail}\n{r.source}"
        for r in results
        if mode in r.outcomes and r.outcomes[mode].klass in ("wrong", "crash", "mutated")
    ]
    assert not failures, f"{len(failures)} of {len(results)} programs fail in {mode}:\n\n" + "\n\n".join(failures[:3])


CORPUS = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "fuzz", "corpus", "*.py")))


@pytest.mark.parametrize("path", CORPUS, ids=[os.path.basename(p) for p in CORPUS])
def test_shrunk_reproducers_of_past_failures_pass(path, workspace):
    """Each distinct bug the fuzzer found, as its shrunk reproducer: a regression test."""
    outcome = replay.replay(path, workspace)
    assert outcome.klass in ("ok", "refused"), f"{outcome.klass}: {outcome.detail}"
