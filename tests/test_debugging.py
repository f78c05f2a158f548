"""`with s2s.debug():` stops pdb at the first line of the generated code, which notes
the line of the user's code it came from."""
import ast
import io
import pdb
import sys

import numpy as np
from conftest import numeric_grad

import s2s
from s2s.passes.activity import kind_of_value


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


def branches_and_loops(x, n):
    y = x * 2.0
    if n > 2:
        y = y * x
    elif n > 1:
        y = y + x
    else:
        y = np.sin(y)
    for _ in range(n):
        y = y * 0.5 + x
    k = 0
    while k < n:
        y = y + 1.0
        k = k + 1
    return np.sum(y)


def test_source_notes_go_on_the_lines_that_end_statements(rng):
    """The generated module's line table (what the `# source:` notes come from), noted
    as the code is written, keys the lines the text parses to: a simple statement's last
    line, an if, elif, for or while header."""
    x = rng.randn(3)
    np.testing.assert_allclose(s2s.grad(branches_and_loops)(x, 2), numeric_grad(lambda x: branches_and_loops(x, 2), (x,)), rtol=1e-6)
    module = s2s.grad(branches_and_loops).module((kind_of_value(x), kind_of_value(2)))
    tree, lines = ast.parse(module.text), module.namespace.lines
    ends = {s.end_lineno for s in ast.walk(tree) if isinstance(s, ast.stmt) and not hasattr(s, "body")}
    headers = {s.lineno for s in ast.walk(tree) if isinstance(s, (ast.If, ast.For, ast.While))}
    assert lines and set(lines) <= ends | headers
    text = module.text.splitlines()
    first = branches_and_loops.__code__.co_firstlineno
    for keyword, offset in (("elif ", 4), ("for ", 8), ("while ", 11)):  # each header notes its own line
        assert any(text[k - 1].lstrip().startswith(keyword) and line == first + offset for k, (_, line) in lines.items()), keyword
