"""autograd.scipy.stats.t is scipy.stats.t."""
import scipy.stats

from ..._delegate import delegate

delegate(globals(), scipy.stats.t)
