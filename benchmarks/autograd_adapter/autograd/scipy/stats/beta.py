"""autograd.scipy.stats.beta is scipy.stats.beta."""
import scipy.stats

from ..._delegate import delegate

delegate(globals(), scipy.stats.beta)
