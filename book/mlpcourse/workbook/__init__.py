"""The checks of the workbooks: the chapters with the network left to write.

A workbook leaves a piece of the network as a stub for the learner to
write, and follows it with one check call, which returns what the cells
below should use: the learner's piece once it passes, the course's until
then. A check never raises; it prints a pass, saying what it verified, or
the likely mistake.

- ``verdict``: what every check shares: findings, stubs, the printed verdict.
- ``chapter1``: the NumPy pieces: activation slopes, the dense layer, the
  loss and its gradient, the network's backward pass, the training loop.
- ``chapter2``: the PyTorch pieces: the ``nn.Module``, the loss and the
  training loop, trained beside a NumPy network.
"""
