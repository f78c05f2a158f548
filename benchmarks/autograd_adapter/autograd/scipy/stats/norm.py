"""autograd.scipy.stats.norm is scipy.stats.norm."""
import scipy.stats

from ..._delegate import delegate

delegate(globals(), scipy.stats.norm)
