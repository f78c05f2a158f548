"""A generative adversarial network on small synthetic images: discs at random places.

Generator and discriminator are MLPs (the images and networks of examples/vae.py).
Each step takes the s2s gradient of the discriminator's loss with respect to the
discriminator and of the generator's (non-saturating) loss with respect to the
generator, and Adam moves both.

    python examples/gan.py [--quick] [--out gan.png]
"""
import time

import numpy as np
from _gallery import adam, parse_args, pyplot, save
from vae import disc_images, init_net, net, tiles

import s2s


def generate(generator, noise):
    return 1.0 / (1.0 + np.exp(-net(generator, noise)))


def discriminator_loss(discriminator, generator, real, noise):
    """Cross-entropy of telling real images (label 1) from generated ones (label 0)."""
    fake = generate(generator, noise)
    return np.mean(np.logaddexp(0.0, -net(discriminator, real))) + np.mean(np.logaddexp(0.0, net(discriminator, fake)))


def generator_loss(generator, discriminator, noise):
    """-log D(G(noise)): the generator wants its images called real."""
    return np.mean(np.logaddexp(0.0, -net(discriminator, generate(generator, noise))))


def draw(samples, images, size, path):
    plt = pyplot(path)
    if plt is None:
        return
    fig, axes = plt.subplots(1, 2, figsize=(8, 4))
    for ax, pictures, title in zip(axes, [images, samples], ["training images", "generated"]):
        ax.imshow(tiles(pictures[:36], 6, 6, size), cmap="gray", vmin=0, vmax=1)
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    save(fig, path)


def main(size=12, count=2000, latent=4, hidden=128, batch=64, steps=3000, out="gan.png", seed=0):
    rs = np.random.RandomState(seed)
    images = disc_images(count, size, rs)
    params = (init_net([latent, hidden, size * size], rs), init_net([size * size, hidden, 1], rs))
    d_generator, d_discriminator = s2s.grad(generator_loss), s2s.grad(discriminator_loss)

    def gradients(p, i):
        generator, discriminator = p
        batch_rs = np.random.RandomState(i)
        real = images[batch_rs.choice(count, batch, replace=False)]
        noise = batch_rs.randn(batch, latent)
        return d_generator(generator, discriminator, noise), d_discriminator(discriminator, generator, real, noise)

    def report(p, i):
        if i % max(1, steps // 6) == 0:
            noise = np.random.RandomState(-i % 2**31).randn(256, latent)
            print(f"step {i:5d}  discriminator loss {discriminator_loss(p[1], p[0], images[:256], noise):.3f}  "
                  f"generator loss {generator_loss(p[0], p[1], noise):.3f}")

    start = time.perf_counter()
    generator, discriminator = adam(gradients, params, steps, step_size=0.001, b1=0.5, callback=report)
    print(f"{steps} steps in {time.perf_counter() - start:.1f} s")
    samples = generate(generator, rs.randn(36, latent))
    print(f"generated images: mean brightness {samples.mean():.3f} (training images {images.mean():.3f})")
    draw(samples, images, size, out)
    return generator, discriminator, images


if __name__ == "__main__":
    args = parse_args(__doc__)
    main(**(dict(size=6, count=100, hidden=16, batch=16, steps=30) if args.quick else {}), out=args.out or "gan.png")
