"""autograd.scipy.integrate is scipy.integrate."""
from .._delegate import delegate

delegate(globals(), "scipy.integrate")
