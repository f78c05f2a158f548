"""autograd.scipy.stats.dirichlet is scipy.stats.dirichlet."""
import scipy.stats

from ..._delegate import delegate

delegate(globals(), scipy.stats.dirichlet)
