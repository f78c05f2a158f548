"""The `math` module's logarithm with a base (the other functions of `math` are in the
table of templates/elementwise.py)."""
import math

from s2s.rules import adjoint, tangent

# ruff: noqa: F821 - `d` is template syntax
# ruff: noqa: F811 - the adjoint and the tangent rule of a primitive share a name


# math.log(x[, base]) = ln(x) / ln(base)
@adjoint(math.log)
def log(result, x, base=math.e):
    d[x] = d[result] / (x * math.log(base))
    d[base] = -d[result] * result / (base * math.log(base))


@tangent(math.log)
def log(result, x, base=math.e):
    d[result] = d[x] / (x * math.log(base)) - d[base] * result / (base * math.log(base))
