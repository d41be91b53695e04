"""The multilayer perceptron of the course, twice: NumPy, then PyTorch.

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
- ``checks``: argument validation with clear error messages.

``pages`` holds the book's machinery (figures, films, the checks of the
prose, listings): what the pages need, not what they teach. ``workbook``
holds the checks of the workbooks, where the learner writes the network.
"""
