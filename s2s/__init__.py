"""s2s: source-to-source automatic differentiation for Python and NumPy.

    import s2s
    dloss = s2s.grad(loss)          # or @s2s.grad
    print(s2s.source(dloss))        # the generated derivative code
"""
__version__ = "0.1.0"

from .api import checkpoint, elementwise_grad, grad, hessian, hvp, jacobian, jvp, source, value_and_grad, vjp  # noqa: E402
from .cache import cache_info, clear_cache  # noqa: E402
from .debugging import debug  # noqa: E402
from .declare import elementwise, linear, multilinear, rule_table  # noqa: E402
from .dispatch import primitive  # noqa: E402
from .errors import TransformError  # noqa: E402
from .export import export  # noqa: E402
from .rules import adjoint, constant_in, non_differentiable, tangent  # noqa: E402
from .runtime import fixed_point, insert_grad_of, register_container, stop_gradient  # noqa: E402

__all__ = [
    "TransformError",
    "adjoint",
    "tangent",
    "non_differentiable",
    "constant_in",
    "elementwise",
    "linear",
    "multilinear",
    "rule_table",
    "primitive",
    "stop_gradient",
    "grad",
    "value_and_grad",
    "elementwise_grad",
    "jvp",
    "vjp",
    "jacobian",
    "hessian",
    "hvp",
    "checkpoint",
    "fixed_point",
    "insert_grad_of",
    "register_container",
    "source",
    "cache_info",
    "clear_cache",
    "debug",
    "export",
]
