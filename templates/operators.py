"""Python's arithmetic operators and their NumPy ufunc spellings: a table of
derivatives, one line per operator (see templates/elementwise.py). Binary operators
broadcast, so each argument's adjoint is summed back to its shape (`unbroadcast`).
"""
import builtins
import operator

import numpy as np

from s2s.declare import elementwise, multilinear
from s2s.runtime import matmul_grad_left, matmul_grad_right


# x ** y: `y - (y != 0)` is `y - 1` except at y == 0, where the derivative 0 * x ** -1
# would be nan at x == 0; `x + (x == 0)` replaces zeros by 1 inside the log, since
# there the factor `result` is 0 (for y > 0), as autograd does.
def power(x, y):
    return f"{y} * {x} ** ({y} - ({y} != 0))", f"result * log({x} + ({x} == 0))"


POWER = power("x", "y")
OPERATORS = {
    "add(x, y)": ("1", "1"),
    "sub(x, y)": ("1", "-1"),
    "mul(x, y)": ("y", "x"),
    "truediv(x, y)": ("1.0 / y", "-result / y"),
    "neg(x)": "-1",
    "pos(x)": "1",
    "mod(x, y)": ("1", "-floor_divide(x, y)"),
    "pow(x, y)": POWER,
}
elementwise(OPERATORS, operator, within=(np,))
elementwise(OPERATORS, np, names={"sub": "subtract", "mul": "multiply", "truediv": ("divide", "true_divide"),
                                  "neg": "negative", "pos": "positive", "mod": ("mod", "remainder"), "pow": None})
elementwise({"pow(base, exp, mod=None)": power("base", "exp") + (None,)}, builtins, within=(np,))


@multilinear(operator.matmul, np.matmul)
def matmul(result, x, y):
    d[x] = matmul_grad_left(d[result], x, y)
    d[y] = matmul_grad_right(d[result], x, y)
