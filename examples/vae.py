"""A variational autoencoder on small synthetic images: discs at random places.

The images are 12 x 12 and vary in two ways (the disc's position), so a 2-D latent
space can hold them. Encoder and decoder are tanh MLPs; the ELBO uses the
reparameterisation trick, its noise drawn inside the objective, and a Bernoulli
likelihood of the pixels. s2s.grad differentiates the ELBO through both networks.

    python examples/vae.py [--quick] [--out vae.png]
"""
import time

import numpy as np
from _gallery import adam, parse_args, pyplot, save

import s2s


def disc_images(count, size, rs, radius=0.22):
    """`count` images (count, size * size): a soft disc at a uniformly random centre."""
    grid = (np.arange(size) + 0.5) / size
    centres = rs.uniform(radius, 1 - radius, (count, 2))
    dx = grid[None, :, None] - centres[:, 0, None, None]
    dy = grid[None, None, :] - centres[:, 1, None, None]
    return (1.0 / (1.0 + np.exp((np.sqrt(dx ** 2 + dy ** 2) - radius) * 40))).reshape(count, size * size)


def init_net(sizes, rs, scale=0.1):
    return [(scale * rs.randn(m, n), np.zeros(n)) for m, n in zip(sizes[:-1], sizes[1:])]


def net(params, inputs):
    for W, b in params[:-1]:
        inputs = np.tanh(inputs @ W + b)
    W, b = params[-1]
    return inputs @ W + b


def encode(encoder, images):
    out = net(encoder, images)
    latent = out.shape[1] // 2
    return out[:, :latent], out[:, latent:]


def bernoulli_log_likelihood(logits, images):
    """log p(images | logits) per image, summed over pixels (images in [0, 1])."""
    return np.sum(images * logits - np.logaddexp(0.0, logits), axis=1)


def elbo(params, images, seed):
    """Mean evidence lower bound over the batch, by one reparameterised sample per image."""
    encoder, decoder = params
    mean, log_std = encode(encoder, images)
    z = mean + np.exp(log_std) * np.random.RandomState(seed).randn(*mean.shape)
    kl = 0.5 * np.sum(mean ** 2 + np.exp(2 * log_std) - 1.0 - 2 * log_std, axis=1)
    return np.mean(bernoulli_log_likelihood(net(decoder, z), images) - kl)


def tiles(images, rows, cols, size):
    """One picture of rows x cols images, each framed by a grey line."""
    framed = np.pad(images.reshape(rows, cols, size, size), ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=0.4)
    return framed.transpose(0, 2, 1, 3).reshape(rows * (size + 2), cols * (size + 2))


def draw(decoder, images, size, path):
    plt = pyplot(path)
    if plt is None:
        return
    steps = 8
    codes = np.linspace(-2, 2, steps)
    z = np.array([[a, b] for b in codes[::-1] for a in codes])
    decoded = 1.0 / (1.0 + np.exp(-net(decoder, z)))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 4), gridspec_kw={"width_ratios": [1, 2]})
    ax1.imshow(tiles(images[:16], 4, 4, size), cmap="gray")
    ax1.set_title("training images", fontsize=10)
    ax2.imshow(tiles(decoded, steps, steps, size), cmap="gray")
    ax2.set_title("decoded from a grid over the 2-D latent space", fontsize=10)
    for ax in (ax1, ax2):
        ax.axis("off")
    save(fig, path)


def main(size=12, count=2000, hidden=128, batch=100, steps=1500, out="vae.png", seed=0):
    rs = np.random.RandomState(seed)
    images = disc_images(count, size, rs)
    params = (init_net([size * size, hidden, 4], rs), init_net([2, hidden, size * size], rs))
    gradient = s2s.grad(elbo)

    def ascent(p, i):
        rows = np.random.RandomState(i).choice(count, batch, replace=False)
        return [[(-dW, -db) for dW, db in part] for part in gradient(p, images[rows], i)]

    def report(p, i):
        if i % max(1, steps // 6) == 0:
            print(f"step {i:5d}  ELBO on all images {elbo(p, images, 0):9.3f}")

    start = time.perf_counter()
    params = adam(ascent, params, steps, step_size=0.003, callback=report)
    print(f"{steps} Adam steps in {time.perf_counter() - start:.1f} s: ELBO {elbo(params, images, 0):.3f} nats per image")
    draw(params[1], images, size, out)
    return params, images


if __name__ == "__main__":
    args = parse_args(__doc__)
    main(**(dict(size=6, count=100, hidden=16, batch=20, steps=30) if args.quick else {}), out=args.out or "vae.png")
