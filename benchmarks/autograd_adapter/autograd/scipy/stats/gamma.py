"""autograd.scipy.stats.gamma is scipy.stats.gamma."""
import scipy.stats

from ..._delegate import delegate

delegate(globals(), scipy.stats.gamma)
