"""autograd.scipy.special is scipy.special."""
from .._delegate import delegate

delegate(globals(), "scipy.special")
