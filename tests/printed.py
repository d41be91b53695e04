"""A printed chapter, read back from its PDF: each page's text lines, its
images, and how much of it is blank. Shared by the print test in
test_devices.py; pypdfium2 (PDFium, Chromium's own PDF library) reads it.
"""

import ctypes
import re
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

POINTS_PER_MM = 72 / 25.4
DPI = 40  # enough to see a line of text: 7 pt type is 4 pixels tall
INK = 200  # darker than this is ink, not the light grey behind code
INK_PIXELS = 3  # a row with fewer is blank: a code box's side rule is 1


@dataclass
class PrintedPage:
    lines: list[str]  # text lines, top to bottom
    figures: list[tuple[float, float]]  # each image's top and width, in mm
    blank: float  # the tallest ink-free band, a share of the printable height


def printed_pages(pdf: bytes, margin_mm: float) -> list[PrintedPage]:
    """Each page of ``pdf``, with ``margin_mm`` on every side."""
    document = pdfium.PdfDocument(pdf)
    pages = []
    for page in document:
        height = page.get_height()
        lines = text_lines(page.get_textpage())
        figures = sorted(
            (
                (height - top) / POINTS_PER_MM,
                (right - left) / POINTS_PER_MM,
            )
            for left, _, right, top in (
                image.get_bounds()
                for image in page.get_objects(
                    filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]
                )
            )
        )
        pages.append(PrintedPage(lines, figures, blank_share(page, margin_mm)))
    return pages


def text_lines(text) -> list[str]:
    """The page's characters gathered into lines by their baselines, top
    to bottom (the text's own order follows the painting, not the page)."""
    rows: dict[int, list[tuple[float, str]]] = {}
    x, y = ctypes.c_double(), ctypes.c_double()
    for index in range(text.count_chars()):
        char = chr(pdfium_c.FPDFText_GetUnicode(text.raw, index))
        if char in "\r\n":
            continue
        pdfium_c.FPDFText_GetCharOrigin(
            text.raw, index, ctypes.byref(x), ctypes.byref(y)
        )
        rows.setdefault(round(y.value / 3), []).append((x.value, char))
    lines = (
        "".join(char for _, char in sorted(rows[row])) for row in sorted(rows)
    )
    return [line.strip() for line in reversed(list(lines)) if line.strip()]


def blank_share(page, margin_mm: float) -> float:
    """The tallest band of rows with no ink inside the margins, as a share
    of the printable height: a page that ends early, or a gap."""
    image = page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
    pixels = np.asarray(image)
    margin = round(margin_mm / 25.4 * DPI)
    printable = pixels[margin:-margin, margin:-margin]
    inked = (printable < INK).sum(axis=1) >= INK_PIXELS
    tallest = run = 0
    for row_inked in inked:
        run = 0 if row_inked else run + 1
        tallest = max(tallest, run)
    return tallest / len(inked)


def plain(text: str) -> str:
    """Letters and digits only, lower case: a line of the PDF compared with
    the page's text, whatever the spacing, quotes and maths became."""
    return re.sub(r"[^0-9a-z]", "", text.lower())
