"""`with s2s.debug():` stops pdb at the first line of the generated code."""
import io
import pdb
import sys

import numpy as np
from conftest import numeric_grad

import s2s


def loss(w, x):
    h = np.tanh(x @ w)
    return np.sum(h ** 2)


def scripted_pdb(*commands):
    out = io.StringIO()
    return pdb.Pdb(stdin=io.StringIO("\n".join(commands) + "\n"), stdout=out, readrc=False), out


def test_debug_stops_at_the_first_generated_line_and_continues(rng):
    w, x = rng.randn(3, 2), rng.randn(4, 3)
    dloss = s2s.grad(loss)
    debugger, out = scripted_pdb("p sorted(locals())", "n", "p _matmul.shape", "c")
    tracing = sys.gettrace()  # a coverage tool's, say: put back afterwards
    with s2s.debug(debugger):
        g = dloss(w, x)
    np.testing.assert_allclose(g, numeric_grad(loss, (w, x)), rtol=1e-6, atol=1e-8)
    text = out.getvalue()
    first_stop = text.split("(Pdb)")[0]
    assert "dloss()" in first_stop and "/generated/" in first_stop  # in the generated file, not in s2s
    assert f'# source: File "{__file__}", line {loss.__code__.co_firstlineno + 1}' in first_stop
    assert "['w', 'x']" in text  # stopped before the first statement ran
    assert "(4, 2)" in text  # x @ w, after one `n`
    assert sys.gettrace() is tracing


def test_debug_without_generated_code_changes_nothing():
    debugger, out = scripted_pdb("c")
    tracing = sys.gettrace()
    with s2s.debug(debugger):
        assert loss(np.eye(2), np.eye(2)) > 0
    assert out.getvalue() == "" and sys.gettrace() is tracing
