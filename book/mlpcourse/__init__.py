"""Helpers shared by the course's pages.

Start reading at ``scratch``: the network that chapter 1 teaches. Each
module has one job:

- ``scratch``: the multilayer perceptron written with NumPy (chapter 1).
- ``torch_mlp``: the same network written with PyTorch (chapter 2).
- ``data``: the seeded datasets, their targets, outputs decoded into labels.
- ``training``: what both training loops share: batch order, divergence check.
- ``gradcheck``: finite-difference checks of the hand-written gradients.
- ``metrics``: accuracy, and its summary over the last epochs.
- ``settings``: the architectures and hyperparameters of both experiments.
- ``parity``: training both networks side by side and measuring the gap.
- ``plots``: figures of the data, the losses, the decision boundaries and
  the computation graph.
- ``film``: the training films and their small multiples.
- ``stepbench``: reading the step benchmark's file, for "Going further".
- ``claims``: the build-time checks of what the prose says.
- ``rounding``: printing rounding-level values, and marking what varies.
- ``listing``: shows a function's source, and measured values, on a page.
- ``checks``: argument validation with clear error messages.
"""
