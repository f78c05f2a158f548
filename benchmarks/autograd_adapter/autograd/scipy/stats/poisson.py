"""autograd.scipy.stats.poisson is scipy.stats.poisson."""
import scipy.stats

from ..._delegate import delegate

delegate(globals(), scipy.stats.poisson)
