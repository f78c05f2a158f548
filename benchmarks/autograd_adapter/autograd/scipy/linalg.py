"""autograd.scipy.linalg is scipy.linalg."""
from .._delegate import delegate

delegate(globals(), "scipy.linalg")
