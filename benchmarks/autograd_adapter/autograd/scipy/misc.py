"""autograd.scipy.misc: logsumexp, now in scipy.special."""
from scipy.special import logsumexp  # noqa: F401
