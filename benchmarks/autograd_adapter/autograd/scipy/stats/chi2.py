"""autograd.scipy.stats.chi2 is scipy.stats.chi2."""
import scipy.stats

from ..._delegate import delegate

delegate(globals(), scipy.stats.chi2)
