"""autograd.scipy.stats.multivariate_normal is scipy.stats.multivariate_normal."""
import scipy.stats

from ..._delegate import delegate

delegate(globals(), scipy.stats.multivariate_normal)
