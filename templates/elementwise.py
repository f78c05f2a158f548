"""Elementwise functions: a table of derivatives, one line per function.

`"f(x, y)": ("df/dx", "df/dy")` in terms of the arguments and `result` = f(x, y); s2s
writes each function's adjoint (`d[x] = d[result] * df/dx`, summed back over broadcast
axes) and tangent (`d[result] = d[x] * df/dx + d[y] * df/dy`) from its line. A name in
a formula is the library's own: `cos` is `np.cos` for NumPy, `math.cos` for `math`.
None marks an argument with no derivative (an integer order). Complex arguments follow
autograd's convention: the adjoint multiplies by df/dz, not its conjugate.
"""
import math

import numpy as np

from s2s import runtime
from s2s.declare import elementwise

from .operators import POWER

# --------------------------------------------------------------- NumPy and math
CALCULUS = {
    # exponentials and logs
    "exp(x)": "result",
    "exp2(x)": "result * log(2.0)",
    "expm1(x)": "result + 1.0",
    "log(x)": "1.0 / x",
    "log2(x)": "1.0 / (x * log(2.0))",
    "log10(x)": "1.0 / (x * log(10.0))",
    "log1p(x)": "1.0 / (1.0 + x)",
    # powers (see templates/operators.py)
    "power(x, y)": POWER,
    "sqrt(x)": "1.0 / (2.0 * result)",
    "cbrt(x)": "1.0 / (3.0 * result * result)",
    "hypot(x, y)": ("x / result", "y / result"),
    # trigonometry
    "sin(x)": "cos(x)",
    "cos(x)": "-sin(x)",
    "tan(x)": "1.0 + result * result",
    "arcsin(x)": "1.0 / sqrt(1.0 - x * x)",
    "arccos(x)": "-1.0 / sqrt(1.0 - x * x)",
    "arctan(x)": "1.0 / (1.0 + x * x)",
    "arctan2(y, x)": ("x / (x * x + y * y)", "-y / (x * x + y * y)"),
    "radians(x)": "pi / 180.0",
    "degrees(x)": "180.0 / pi",
    # hyperbolic functions
    "sinh(x)": "cosh(x)",
    "cosh(x)": "sinh(x)",
    "tanh(x)": "1.0 - result * result",
    "arcsinh(x)": "1.0 / sqrt(x * x + 1.0)",
    "arccosh(x)": "1.0 / sqrt(x * x - 1.0)",
    "arctanh(x)": "1.0 / (1.0 - x * x)",
}
elementwise(CALCULUS, np)
elementwise(
    {
        "square(x)": "2.0 * x",
        "reciprocal(x)": "-result * result",
        "logaddexp(x, y)": ("exp(x - result)", "exp(y - result)"),
        "logaddexp2(x, y)": ("exp2(x - result)", "exp2(y - result)"),
        "fabs(x)": "sign(x)",
        "deg2rad(x)": "pi / 180.0",
        "rad2deg(x)": "180.0 / pi",
        # 1 where x is finite, 0 where nan_to_num replaced it
        "nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None)": "isfinite(x)",
        # (cos(pi x) - sinc(x)) / x, which tends to 0 at x = 0
        "sinc(x)": "(cos(pi * x) - result) / (x + (x == 0))",
    },
    np,
)
# what a gradient computes for exp(t - logaddexp(t, 0.0)) (passes/fusion.py)
elementwise({"logistic(t)": "result * (1.0 - result)"}, runtime)
MATH_NAMES = {"power": "pow", "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arctan2": "atan2",
              "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh",
              "log": None}  # math.log takes a base: below
elementwise(CALCULUS, math, names=MATH_NAMES, broadcasts=False)
elementwise(
    {
        # sign(x) as a float, 0 at the kink (Python booleans subtract, NumPy's do not)
        "fabs(x)": "float(x > 0) - float(x < 0)",
        # log(x, base) = ln(x) / ln(base)
        "log(x, base=math.e)": ("1.0 / (x * log(base))", "-result / (base * log(base))"),
    },
    math,
    broadcasts=False,
)
