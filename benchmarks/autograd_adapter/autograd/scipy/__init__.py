"""autograd.scipy is SciPy."""
from .._delegate import delegate
from . import integrate, linalg, misc, signal, special, stats  # noqa: F401

delegate(globals(), "scipy")
