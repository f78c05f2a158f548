"""A stand-in so that Tangent's corpus imports: its TensorFlow functions are not run."""
