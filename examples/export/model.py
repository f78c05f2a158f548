"""The model of the export example: ridge-regularised logistic regression, plain NumPy."""
import numpy as np


def loss(w, X, y, l2=1e-3):
    """Mean negative log-likelihood plus an L2 penalty; w[0] is the bias."""
    z = X @ w[1:] + w[0]
    return np.mean(np.logaddexp(0.0, z) - y * z) + l2 * np.sum(w[1:] ** 2)
