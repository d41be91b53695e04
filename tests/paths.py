"""Where the tests find the book: one definition, imported by every test file."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
BUILD = ROOT / "_build"
HTML = BUILD / "html"
CHAPTERS = ["scratch_mlp", "pytorch_mlp", "going_further"]
"""The pages that are notebooks, in the book's order, by file name without
suffix: the two chapters, then the optional page "Going further"."""
