"""A fixed-seed slice of the differential fuzzer in tests/fuzz (`python -m tests.fuzz`
runs it long). Every program is checked in every mode against central differences and
autograd; a failure message carries the program, so it can be replayed by hand."""
import os

import pytest
from fuzz import check, generator, runner

SEED = int(os.environ.get("S2S_FUZZ_SEED", "2026"))
PROGRAMS = 24


@pytest.fixture(scope="module")
def results():
    workspace = runner.Workspace()
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
