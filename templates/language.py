"""Python's own operations on values: indexing, attributes, and s2s's runtime glue."""
import operator

from s2s import runtime
from s2s.rules import adjoint, non_differentiable, tangent

# ruff: noqa: F821 - `d` is template syntax


@adjoint(operator.getitem)
def getitem(result, x, index):
    d[x] = add_at(d[x], x, index, d[result])


@tangent(operator.getitem)
def getitem(result, x, index):
    d[result] = d[x][index]


@adjoint(getattr)
def getattr_(result, x, name):
    d[x] = getattr_adjoint(d[x], x, name, d[result])


@tangent(getattr)
def getattr_(result, x, name):
    d[result] = getattr(d[x], name)


add_at = runtime.add_at
getattr_adjoint = runtime.getattr_adjoint

non_differentiable(
    runtime.seq_len,
    runtime.ones_like_output,
    runtime.zeros_like,
    operator.not_,
    operator.floordiv,
    operator.mod,
    operator.and_,
    operator.or_,
    operator.xor,
    operator.invert,
    operator.lshift,
    operator.rshift,
)
