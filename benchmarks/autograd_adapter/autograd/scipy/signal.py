"""autograd.scipy.signal is scipy.signal."""
from .._delegate import delegate

delegate(globals(), "scipy.signal")
