"""autograd.scipy.stats is scipy.stats."""
from ..._delegate import delegate

delegate(globals(), "scipy.stats")
