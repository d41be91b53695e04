"""The book's machinery: what the pages need beyond the network itself.

Nothing here is what the chapters teach; start reading at
``mlpcourse/scratch.py``.

- ``plots``: figures of the data, the losses, the decision boundaries and
  the computation graph.
- ``film``: the training films and their small multiples.
- ``stepbench``: reading the step benchmark's file, for "Going further".
- ``claims``: checks of what the prose says: an error in the build, a
  note in a learner's run.
- ``chapter1``, ``chapter2``, ``further``: those checks, page by page.
- ``rounding``: printing rounding-level values, and marking what varies.
- ``listing``: shows the package's source, and measured values, on a page.
"""
