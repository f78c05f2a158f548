"""A fixed-seed slice of the differential fuzzer in tests/fuzz (`python -m tests.fuzz`
runs it long). Every program is checked in every mode against central differences and
autograd; a failure message carries the program, so it can be replayed by hand."""
import glob
import os
import types

import numpy as np
import pytest
from fuzz import check, generator, replay, runner, shrink

SEED = int(os.environ.get("S2S_FUZZ_SEED", "2026"))
PROGRAMS = 30  # a minute at most on a busy machine: the language families make programs slower


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


# --------------------------------------------------------------------------- the fuzzer itself


def test_programs_are_deterministic_and_families_switch_off():
    assert generator.generate(5, 3).source == generator.generate(5, 3).source
    plain = generator.profile_without(generator.FAMILIES)
    for index in range(20):
        source = generator.generate(5, index, plain).source
        assert "[" not in source and "for " not in source and "if " not in source and "lambda" not in source


# what each family of the language constructs writes, somewhere in a few hundred programs
FAMILY_MARKS = {
    "function_values": ["make_act(", "apply(", "act_or(", "alias0 = ", "for op0 in [", "forwarded("],
    "partials": ["functools.partial(scaled", "map(", "partial(scaled_by, gain="],
    "generators": ["yield", "np.stack(list(", "tuple("],
    "forwarding": ["@logged", "(*args, **kwargs)", "*(", "zip(*["],
    "methods": ["SCALER", "f = Model(0.5).loss", "f = Model.loss"],
    "records": ["Pair(", "Layer(", "s2s.register_container"],
    "nested_grad": ["s2s.grad(pot"],
    "defaults": [", s="],
}


@pytest.fixture(scope="module")
def sources():
    return [generator.generate(7, index).source for index in range(600)]


@pytest.mark.parametrize("family", sorted(FAMILY_MARKS))
def test_each_language_family_is_generated_and_switches_off(family, sources):
    for mark in FAMILY_MARKS[family]:
        assert any(mark in source for source in sources), mark
    without = generator.profile_without([family])
    mark = FAMILY_MARKS[family][0]
    assert not any(mark in generator.generate(7, index, without).source for index in range(40))


WRONG_GRADIENT = """
import numpy as np

def f(x0):
    y = np.sin(x0)
    z = y * 2.0
    return np.sum(z * x0)
"""


def with_wrong_s2s(monkeypatch, value_and_grad):
    """The grad check run against a broken value_and_grad instead of s2s's."""
    original = check.Case.check_grad
    broken = types.SimpleNamespace(value_and_grad=value_and_grad)
    monkeypatch.setattr(check.Case, "check_grad", lambda self, s2s: original(self, broken))


def test_a_wrong_gradient_is_classified_wrong_and_shrinks(workspace, monkeypatch):
    import s2s

    def off_by_one(func, wrt=0):
        def value_and_gradient(*args):
            value, gradient = s2s.value_and_grad(func, wrt)(*args)
            return value, gradient + 1.0
        return value_and_gradient

    args = [np.array([0.3, -0.4, 1.1])]
    case = runner.case_for(workspace, WRONG_GRADIENT, args, 0, 0, 0)
    assert case.run("grad").klass == "ok"
    with_wrong_s2s(monkeypatch, off_by_one)
    outcome = case.run("grad")
    assert outcome.klass == "wrong" and outcome.detail.startswith("derivative")
    failure = runner.Result(0, WRONG_GRADIENT, args, 0, {"grad": outcome})
    small = shrink.shrink(WRONG_GRADIENT, runner.Reproduction(workspace, failure, "grad", 0), budget_s=30)
    assert small.count("\n") < WRONG_GRADIENT.count("\n") and "y * 2.0" not in small


def test_an_argument_changed_by_the_derivative_is_classified_mutated(workspace, monkeypatch):
    def mutating(func, wrt=0):
        def value_and_gradient(*args):
            args[0][0] = 7.0
            return func(*args), np.zeros_like(args[0])
        return value_and_gradient

    case = runner.case_for(workspace, WRONG_GRADIENT, [np.array([0.3, -0.4])], 0, 0, 0)
    with_wrong_s2s(monkeypatch, mutating)
    assert case.run("grad").klass == "mutated"


CANCELLING = """
import numpy as np

def f(x0, x1):
    for _ in range(7):
        x1 *= x1  # 1.49 ** 128: about 1e22
    return (1.0 - x1) + np.sum(x0) + x1
"""


def test_a_program_whose_values_cancel_on_the_way_is_rejected(workspace):
    # seed 9743, program 483: flat in x0 in floating point, so central differences gave 0
    # where every derivative tool (s2s, autograd) gives the exact [1, 1]
    with pytest.raises(check.Rejected, match="too large for central differences"):
        runner.case_for(workspace, CANCELLING, [np.array([0.08, -0.78]), 1.4853], 0, 0, 0)
    assert runner.case_for(workspace, CANCELLING, [np.array([0.08, -0.78]), 1.01], 0, 0, 0).run("grad").klass == "ok"


NESTED_GRADIENT_AT_A_KINK = """
import numpy as np
import s2s

def f(x0):
    q0 = s2s.grad(lambda z0: np.sum(z0 * z0))(x0)
    v4 = np.sin(np.ones((2, 3)) * x0)  # equal entries: the variance is rounding
    return np.std(v4, ddof=-1) + q0
"""


def test_autograd_judges_a_program_with_a_nested_s2s_grad(workspace):
    # seed 9843, program 223: std at a variance of rounding size has a derivative of
    # rounding (s2s's and autograd's agree); central differences alone called it wrong
    case = runner.case_for(workspace, NESTED_GRADIENT_AT_A_KINK, [-0.6071890032211279], 0, 0, 0)
    assert len(case.refs.jacobians()) == 2
    assert case.run("grad").klass == "ok"


def test_a_value_keeps_python_s_dtype_and_a_derivative_is_float64():
    ints, floats32 = np.zeros((2, 3), dtype=int), np.zeros(2, dtype=np.float32)
    assert check.structure_error((1.0, ints), (1.0, ints.copy()), "value", value=True) is None
    assert check.structure_error(floats32, floats32.copy(), "value", value=True) is None
    assert check.structure_error(3, 3, "value", value=True) is None
    assert "expected int64" in check.structure_error(ints * 1.0, ints, "value", value=True)
    assert "expected float32" in check.structure_error(floats32.astype(float), floats32, "value", value=True)
    assert "expected float64" in check.structure_error(ints, ints, "derivative")
