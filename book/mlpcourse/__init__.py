"""Helpers shared by the two chapters of the MLP course.

Each module has one job:

- ``data``: the seeded datasets, their targets, outputs decoded into labels.
- ``scratch``: the multilayer perceptron written with NumPy (chapter 1).
- ``torch_mlp``: the same network written with PyTorch (chapter 2).
- ``training``: what both training loops share: batch order, divergence check.
- ``parity``: training both networks side by side and measuring the gap.
- ``gradcheck``: finite-difference checks of the hand-written gradients.
- ``metrics``: turning outputs into labels and measuring accuracy.
- ``plots``: figures of the data, the loss curves and the decision boundaries.
- ``settings``: the architectures and hyperparameters of both experiments.
- ``stepbench``: one training step timed across sizes, for chapter 2.
- ``listing``: shows a function's source, and measured values, on a page.
- ``checks``: argument validation with clear error messages.
"""
