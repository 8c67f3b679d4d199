"""Particle gradient descent for one-hidden-layer networks: the experiments of section 5 of
E. Berthier, "On Convex Neural Networks" (2018), after Chizat & Bach (2018)."""

__version__ = "0.1.0"
