"""Every reader, every device: phone, tablet and desktop, pointer and keys.

Each page is opened at 390, 768 and 1280 CSS px; every control is used by
touch (phone) or mouse, and by keyboard; the page is measured for anything
cut off or too small to read; axe-core checks accessibility; and the
chapters are laid out for print. `make screenshots` saves a screenshot of
every page at every width, and each chapter's A4 PDF, in _build/screenshots/
for a person to look at.
"""

import contextlib
import io
import itertools
import os
import re
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser import HTML, PAGES, SCREENSHOTS, Visit, screenshot
from course_site import FILM_FRAMES
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from printed import plain, printed_pages

from mlpcourse.pages.film import FILM_DPI
from mlpcourse.pages.plots import TEXT_POINTS

WIDTHS = {"phone": 390, "tablet": 768, "desktop": 1280}
# The smallest figure text, in CSS px, that each width must show.
SMALLEST_FIGURE_TEXT = {"phone": 9, "tablet": 9, "desktop": 11}
# axe-core's rules do not depend on the width beyond these two layouts.
AXE_WIDTHS = ("phone", "desktop")
AXE_OPTIONS = {"resultTypes": ["violations"]}
CHAPTER_PAGES = ["book/scratch_mlp.html", "book/pytorch_mlp.html"]
# The printable width of A4 (210 mm) with Chromium's default 1 cm margins.
A4_PRINT_WIDTH = round((210 - 20) / 25.4 * 96)


def open_at(
    browser,
    site: str,
    path: str,
    device: str,
    touch: bool = False,
    settle: str = "load",
) -> Visit:
    """Open a page at a device's width; a phone is a mobile browser.

    A phone, a touch tablet, and the rest: one warm browser context each.
    """
    options = {"viewport": {"width": WIDTHS[device], "height": 900}}
    if device == "phone":
        options["is_mobile"] = True
    if touch or device == "phone":
        options["has_touch"] = True
    return Visit(browser, f"{site}/{path}", settle=settle, **options)


# Elements whose content is cut off by `overflow: hidden` (or clip): the
# element is narrower than its content and shows no scrollbar.
CLIPPED = """() => [...document.querySelectorAll("body *")].filter(el => {
  const style = getComputedStyle(el);
  return ["hidden", "clip"].includes(style.overflowX)
    && el.getClientRects().length && style.visibility !== "hidden"
    && el.scrollWidth > el.clientWidth + 1;
}).map(el => `${el.tagName.toLowerCase()}.${el.className} hides `
  + `${el.scrollWidth - el.clientWidth} px: ${el.textContent.slice(0, 60)}`)"""

# The search fields and buttons a reader sees, sidebar dialogs closed.
SEARCH_FIELDS = """() => [...document.querySelectorAll(".search-button__button")]
  .filter(el => el.getClientRects().length
                && getComputedStyle(el).visibility !== "hidden").length"""

# Display maths wider than the box that holds it.
WIDE_MATHS = """() => [...document.querySelectorAll("mjx-container[display]")]
  .filter(box => box.scrollWidth > box.clientWidth + 1)
  .map(box => [box.textContent.slice(0, 50), box.scrollWidth - box.clientWidth,
               getComputedStyle(box).overflowX])"""

# Code listings and outputs whose lines run past their box.
WIDE_CODE = """() => [...document.querySelectorAll("pre")]
  .filter(pre => pre.scrollWidth > pre.clientWidth + 1
                 && pre.getClientRects().length)
  .map(pre => [pre.textContent.split("\\n").sort((a, b) => b.length
               - a.length)[0], pre.scrollWidth - pre.clientWidth])"""

# The figures, not the frames of a film (test_every_film_plays).
FIGURES = """() => [...document.querySelectorAll(".cell_output img:not(.film img)")].map(img =>
  ({src: img.getAttribute("src"), drawn: img.getBoundingClientRect().width,
    natural: img.naturalWidth, link: img.closest("a")?.getAttribute("href"),
    alt: img.alt}))"""


def png_dpi(source: str, page_path: str) -> float:
    """The resolution a figure was saved at, from its PNG's pHYs chunk."""
    path = (HTML / page_path).parent / source
    with Image.open(path) as png:
        return png.info["dpi"][0]


@pytest.mark.parametrize("device", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_nothing_is_cut_off_too_small_or_inaccessible(
    site, browser, path, device
):
    """One visit per page and width: layout, figure text, axe-core; on the
    first chapter, a walk with the Tab key, and a figure tapped open. The
    desktop visit also waits until the network is idle, and checks that
    the page rendered whole without asking anything of another host."""
    settle = "networkidle" if device == "desktop" else "load"
    with open_at(browser, site, path, device, settle=settle) as visit:
        page = visit.page
        if device == "desktop":
            check_rendered_offline_and_cleanly(visit, path)
        assert page.evaluate(SEARCH_FIELDS) == 1, "one search field"
        scroll, width = page.evaluate(
            "[document.documentElement.scrollWidth, innerWidth]"
        )
        assert scroll <= width, f"the page scrolls sideways: {scroll} px"
        assert page.evaluate(CLIPPED) == []
        wide_maths = page.evaluate(WIDE_MATHS)
        if device == "desktop":
            assert wide_maths == [], "display maths wider than the column"
        else:  # a phone may scroll a formula sideways, never clip it
            assert all(overflow == "auto" for *_, overflow in wide_maths)
        if device == "desktop":
            assert page.evaluate(WIDE_CODE) == [], "code wider than its box"
        check_wide_tables(page, path, device)
        for figure in page.evaluate(FIGURES):
            dpi = png_dpi(figure["src"], path)
            css_px = (
                TEXT_POINTS * dpi / 72 * figure["drawn"] / figure["natural"]
            )
            assert css_px >= SMALLEST_FIGURE_TEXT[device], (
                f"{figure['src']}: {TEXT_POINTS} pt text drawn at "
                f"{css_px:.1f} CSS px ({figure['natural']} px PNG at {dpi:.0f} "
                f"dpi shown {figure['drawn']:.0f} px wide)"
            )
            assert figure["link"] == figure["src"], "no link to full size"
            assert len(figure["alt"]) > 40, f"{figure['src']} has no alt text"
        screenshot(page, f"{path.replace('/', '_')[:-5]}-{WIDTHS[device]}")
        if device in AXE_WIDTHS:
            # Only violations are collected: the passes would cost 40% more.
            results = Axe().run(page, options=AXE_OPTIONS).response
            violations = {
                v["id"]: [node["html"][:120] for node in v["nodes"]]
                for v in results["violations"]
            }
            assert violations == {}, "axe-core finds accessibility violations"
            if path == CHAPTER_PAGES[0]:
                check_keyboard_walk(page)
                if device == "phone":
                    check_figure_opens_at_full_size(page)


# What each chapter shows: its figures, and at least this many formulas.
SHOWN = {
    "book/scratch_mlp.html": (10, 50),
    "book/pytorch_mlp.html": (2, 15),
    "book/going_further.html": (4, 5),
}


# Each table's box: whether it scrolls, what it says and which sides fade.
TABLES = """() => [...document.querySelectorAll(
    ".pst-scrollable-table-container")].map(box => ({
  scrolls: box.scrollWidth > box.clientWidth + 1,
  hint: box.nextElementSibling?.matches("p.table-scrolls:not([hidden])")
    && box.nextElementSibling.checkVisibility() || false,
  left: getComputedStyle(box).maskImage !== "none"
    && box.classList.contains("more-left"),
  right: getComputedStyle(box).maskImage !== "none"
    && box.classList.contains("more-right")}))"""


def check_wide_tables(page, path: str, device: str) -> None:
    """A table fits its column, or says that it scrolls and fades the side
    with more to see, before and after a reader scrolls it."""
    tables = page.evaluate(TABLES)
    if path == CHAPTER_PAGES[1]:  # chapter 2's loop, side by side
        assert tables and tables[0]["scrolls"] == (device == "phone")
    for index, table in enumerate(tables):
        if not table["scrolls"]:
            assert table == dict.fromkeys(table, False), f"table {index}"
            continue
        assert table == {
            "scrolls": True,
            "hint": True,
            "left": False,
            "right": True,
        }, f"table {index} at the start"
        box = page.locator(".pst-scrollable-table-container").nth(index)
        box.evaluate("box => box.scrollTo(box.scrollWidth, 0)")
        wait_for(
            page,
            f"(t => t.left && !t.right)(({TABLES})()[{index}])",
            f"table {index} scrolled to its end: the fade did not move left",
        )
        box.evaluate("box => box.scrollTo(0, 0)")
        wait_for(
            page,
            f"(t => !t.left && t.right)(({TABLES})()[{index}])",
            f"table {index} scrolled back: the fade did not move right",
        )


def check_rendered_offline_and_cleanly(visit: Visit, path: str) -> None:
    """Every image decoded, every formula typeset, no console error, and no
    request left localhost.

    A warm cache hides no request that leaves the machine: offline, no
    such request could have succeeded, so none was ever cached.
    """
    page = visit.page
    # A film's frames load as the reader nears it (test_every_film_plays).
    images = page.evaluate(
        """[...document.images].filter(i => !i.closest(".film"))
             .map(i => [i.src, i.complete, i.naturalWidth])"""
    )
    broken = [src for src, done, width in images if not done or width == 0]
    assert not broken, f"images that did not decode: {broken}"
    math_blocks = page.locator(".math").count()
    typeset = page.locator(".math mjx-container").count()
    assert typeset == math_blocks, f"{typeset} of {math_blocks} typeset"
    figures, formulas = SHOWN.get(path, (0, 0))
    assert page.locator("img[src*='_images/']").count() == figures
    assert math_blocks >= formulas
    assert page.locator("mjx-merror").count() == 0, "MathJax error"
    assert not visit.errors, f"console errors: {visit.errors}"
    hosts = {urlparse(url).hostname for url in visit.requests}
    assert hosts == {"127.0.0.1"}, f"requests left localhost: {hosts}"
    check_icons_drawn_from_the_fonts(visit)


# The theme's icons a reader sees: each one's glyph and width.
ICONS = """() => [...document.querySelectorAll("i.fa-solid, i.fas, i.fab")]
  .filter(icon => icon.checkVisibility()).map(icon => [icon.className,
    getComputedStyle(icon, "::before").content,
    icon.getBoundingClientRect().width])"""
ICON_FONTS = """() => [...document.fonts].filter(font =>
  font.family.includes("Font Awesome") && font.status === "loaded").length"""


def check_icons_drawn_from_the_fonts(visit: Visit) -> None:
    """The icons are drawn by the theme's stylesheet and web fonts alone:
    the page never asks for the 1.5 MB script that redrew them as SVG."""
    scripts = [url for url in visit.requests if "fontawesome" in url]
    assert not [url for url in scripts if url.split("?")[0].endswith(".js")]
    icons = visit.page.evaluate(ICONS)
    assert len(icons) >= 3, icons
    for name, glyph, width in icons:
        assert glyph not in ("none", "normal", '""') and width > 0, name
    assert visit.page.evaluate(ICON_FONTS) >= 1, "no icon font loaded"


def check_figure_opens_at_full_size(page) -> None:
    """Tap a figure: its full-size PNG opens (the last check of a visit)."""
    figure = page.locator(".cell_output a:has(img)").first
    drawn = figure.locator("img").bounding_box()["width"]
    with page.expect_navigation():
        figure.tap()
    assert page.url.endswith(".png")
    natural = page.evaluate("document.images[0].naturalWidth")
    assert natural > drawn, (natural, drawn)


# A focus ring: an outline at least 2 px wide, or a coloured box shadow.
FOCUS_RING = """el => { const style = getComputedStyle(el);
  return (style.outlineStyle !== "none"
          && parseFloat(style.outlineWidth) >= 2)
    || (style.boxShadow !== "none"
        && !style.boxShadow.startsWith("rgba(0, 0, 0, 0)")); }"""


def press(page, control, how: str) -> None:
    """Use a control as a reader would: by mouse, touch or keyboard."""
    if how == "keyboard":
        control.focus()
        assert control.evaluate(FOCUS_RING), f"no focus ring on {control}"
        page.keyboard.press("Enter")
    elif how == "touch":
        control.tap()
    else:
        control.click()


def is_open(page, dialog: str) -> bool:
    return page.evaluate(f"document.getElementById('{dialog}').open")


def close_by_escape(page, dialog: str, opener) -> None:
    """Escape closes a sidebar, and focus goes back to its button.

    The theme moves focus back on the dialog's ``close`` event, which
    fires a task later: until it has, focusing anything else races it.
    """
    page.keyboard.press("Escape")
    assert not is_open(page, dialog)
    expect(opener).to_be_focused()


def check_sidebars(page, device: str, how: str) -> None:
    toggle = page.locator(".primary-toggle:visible")
    assert toggle.count() == 1
    press(page, toggle, how)
    if WIDTHS[device] < 992:  # the chapter list slides in over the page
        assert is_open(page, "pst-primary-sidebar-modal"), "no chapter list"
        dialog = page.locator("#pst-primary-sidebar-modal")
        chapter = dialog.get_by_role("link", name="2. The same network")
        assert chapter.is_visible()
        close_by_escape(page, "pst-primary-sidebar-modal", toggle)
    else:  # the chapter list folds away, and back
        # The theme's 0.25 s transition: wait for its end, not a set time,
        # which a busy machine may not keep to.
        sidebar = page.locator("#pst-primary-sidebar")
        expect(sidebar, "the chapter list did not fold").to_be_hidden()
        press(page, toggle, how)
        expect(sidebar, "the chapter list did not come back").to_be_visible()
    contents = page.locator(".secondary-toggle:visible")
    if WIDTHS[device] < 1200:
        press(page, contents, how)
        assert is_open(page, "pst-secondary-sidebar-modal"), "no contents"
        dialog = page.locator("#pst-secondary-sidebar-modal")
        assert dialog.get_by_role("link", name="Exercises").is_visible()
        close_by_escape(page, "pst-secondary-sidebar-modal", contents)
    else:  # wide enough to show the page's contents all the time
        assert contents.count() == 0
        assert page.locator("#pst-page-toc-nav").is_visible()


def check_header_buttons(page, site: str, how: str) -> None:
    for name, links in [
        ("Launch interactive content", ["Binder", "Colab"]),
        ("Download this page", [".ipynb", ".md"]),
        ("Source repositories", ["Repository", "Open issue"]),
    ]:
        menu = page.get_by_role("button", name=name)
        press(page, menu, how)
        items = menu.locator("xpath=..").locator(".dropdown-menu a")
        for label in links:
            assert items.filter(has_text=label).first.is_visible(), label
        page.keyboard.press("Escape")
    downloads = page.locator("a[href*='_sources/']")
    for index in range(downloads.count()):
        href = downloads.nth(index).get_attribute("href")
        assert page.request.get(f"{site}/book/{href}").ok, href
    mode = page.locator("html")
    before = mode.get_attribute("data-mode")
    press(page, page.locator(".theme-switch-button:visible"), how)
    assert mode.get_attribute("data-mode") != before, "colour mode unchanged"
    fullscreen = page.locator(".btn-fullscreen-button:visible")
    press(page, fullscreen, how)
    page.wait_for_function("document.fullscreenElement !== null")
    press(page, fullscreen, how)
    page.wait_for_function("document.fullscreenElement === null")


# The clipboard's text once it is not empty: each use of the copy button
# starts from an empty clipboard, so none passes on an earlier one's copy.
COPIED = """async () => (await navigator.clipboard.readText()) || null"""


def check_copy_and_solution(page, how: str) -> None:
    page.evaluate("navigator.clipboard.writeText('')")
    press(page, page.locator(".copybtn").first, how)
    copied = page.wait_for_function(COPIED).json_value()
    assert copied.startswith(
        "import matplotlib.pyplot as plt\nimport numpy"
    ), copied
    solution = page.locator("details.hide").first
    code = solution.locator("pre").first
    assert not code.is_visible()
    press(page, solution.locator("summary"), how)
    assert code.is_visible(), "the solution did not open"
    press(page, solution.locator("summary"), how)
    assert not code.is_visible(), "the solution did not fold again"


def check_search(page, how: str, search: bool, land: bool = True) -> None:
    """Open the search box; with ``search``, search (it leaves the page),
    and with ``land``, follow the first result."""
    press(page, page.locator(".search-button__button:visible").first, how)
    assert is_open(page, "pst-search-dialog"), "no search box"
    if not search:
        page.keyboard.press("Escape")
        assert not is_open(page, "pst-search-dialog")
        return
    page.keyboard.type("backpropagation")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"search\.html\?q=backpropagation"))
    results = page.locator("#search-results li a")
    results.first.wait_for()
    assert "1. The MLP from scratch with NumPy" in results.all_inner_texts()
    if not land:
        return
    # The PyTorch chapter, the lighter page: it matches in its prose.
    press(page, results.get_by_text("2. The same network in PyTorch"), how)
    page.wait_for_url(re.compile(r"pytorch_mlp\.html"))
    check_landing(page, "backpropagation")


# Where a search result landed: the first highlighted match a reader can
# see, its section's id and whether it is on the screen.
LANDING = """() => {
  const match = [...document.querySelectorAll("article span.highlighted")]
    .find(el => el.getClientRects().length);
  if (!match) return null;
  const box = match.getBoundingClientRect();
  return {text: match.textContent, section: match.closest("section[id]").id,
          shown: box.top >= 0 && box.bottom <= innerHeight,
          stored: localStorage.getItem("sphinx_highlight_terms")}; }"""


def check_landing(page, term: str) -> dict:
    """The page a search led to shows ``term`` highlighted, on the screen,
    and its address names the section; the term is no longer stored."""
    landed = None
    with contextlib.suppress(PlaywrightTimeout):
        landed = page.wait_for_function(
            f"({LANDING})()?.shown ? ({LANDING})() : null", timeout=5000
        ).json_value()
    assert landed, "no highlighted match on the screen"
    assert landed["text"].lower() == term
    assert urlparse(page.url).fragment == landed["section"], (
        f"landed at #{urlparse(page.url).fragment}, not the match's section"
    )
    assert landed["stored"] is None, "the search term is still stored"
    return landed


def test_a_term_in_a_tab_not_shown_shows_that_tab_and_a_named_place_stays(
    site, browser
):
    """Chapter 2 has "calculus" only in a PyTorch listing, a tab not shown
    at first: the link opens that tab. A link to a section keeps it. The
    highlight reads in both modes."""
    chapter = CHAPTER_PAGES[1]
    with open_at(
        browser, site, f"{chapter}?highlight=calculus", "desktop"
    ) as visit:
        page = visit.page
        landed = check_landing(page, "calculus")
        tab = page.locator(
            ".sd-tab-set > input:checked + label"
        ).all_inner_texts()
        assert tab.count("PyTorch") == 1, "not only the match's tab switched"
        assert landed["section"] != "the-same-network-in-pytorch"  # the top
        section = "tensors"
        page.goto(f"{site}/{chapter}?highlight=numpy#{section}")
        page.wait_for_function(
            "document.querySelector('article span.highlighted')"
        )
        # Timeouts run in order: this one, set later and longer, runs after
        # the page's own (10 ms, then the jump to the match).
        page.evaluate("new Promise(done => setTimeout(done, 20))")
        assert urlparse(page.url).fragment == section
        heading = page.locator(f"#{section} > h2").bounding_box()
        assert 0 <= heading["y"] < 200, f"the named section moved: {heading}"
        # The highlight reads in both modes, in the page and its contents.
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.goto(f"{site}/{chapter}?highlight=autograd")
            check_landing(page, "autograd")
            marked = {"include": [["span.highlighted"]]}
            options = AXE_OPTIONS | {"runOnly": ["color-contrast"]}
            results = Axe().run(page, context=marked, options=options)
            unread = [
                n["target"]
                for v in results.response["violations"]
                for n in v["nodes"]
            ]
            assert unread == [], f"{scheme}: highlights below 4.5:1"


def check_tabs(page, how: str) -> None:
    tab_sets = page.locator(".sd-tab-set")

    def showing(label: str) -> int:
        return page.locator(
            f".sd-tab-set > input:checked + label:has-text('{label}')"
        ).count()

    assert showing("NumPy") == tab_sets.count() >= 5
    if how == "keyboard":  # the tabs are radio buttons: arrows move along
        page.locator(".sd-tab-set > input:checked").first.focus()
        page.keyboard.press("ArrowRight")
    else:
        press(page, page.locator("label:has-text('PyTorch')").first, how)
    assert showing("PyTorch") == tab_sets.count(), "the tabs did not switch"
    listing = page.locator(".sd-tab-content:visible").first
    assert "nn.Linear" in listing.inner_text()
    if how == "keyboard":
        page.keyboard.press("ArrowLeft")
    else:
        press(page, page.locator("label:has-text('NumPy')").first, how)
    assert showing("NumPy") == tab_sets.count(), "the tabs did not go back"


# A phone and a tablet are used by touch; every width by mouse and keys.
# One page serves every way of using one browser (a touch tablet is
# another browser): each check leaves the page as it found it.
USES = {
    "phone": ["touch", "mouse", "keyboard"],
    "tablet": ["mouse", "keyboard"],
    "tablet-touch": ["touch"],
    "desktop": ["mouse", "keyboard"],
}


@pytest.mark.parametrize("browser_kind", USES)
def test_every_control_works(site, browser, browser_kind):
    """On the PyTorch chapter, which has every kind of control."""
    device = browser_kind.removesuffix("-touch")
    touch = browser_kind.endswith("-touch")
    with open_at(
        browser, site, CHAPTER_PAGES[1], device, touch=touch
    ) as visit:
        page = visit.page
        hows = USES[browser_kind]
        for how in hows:
            check_sidebars(page, device, how)
            check_header_buttons(page, site, how)
            check_copy_and_solution(page, how)
            check_tabs(page, how)
            # Then leaves; a result is followed at the phone's and the
            # desktop's widths, the two layouts of the results page.
            last = how == hows[-1]
            check_search(page, how, last, land=device != "tablet")
        assert not visit.errors, visit.errors


def check_keyboard_walk(page) -> None:
    """Tab through the page: every stop is named and shows a focus ring."""
    assert page.locator("mjx-container[tabindex]").count() == 0
    seen = []
    for _ in range(400):
        page.keyboard.press("Tab")
        stop = page.evaluate(
            f"""() => {{ const el = document.activeElement;
            if (el === document.body || el.dataset.walked) return null;
            el.dataset.walked = "yes";
            return {{tag: el.tagName, ring: ({FOCUS_RING})(el),
              maths: !!el.closest("mjx-container")}}; }}"""
        )
        if stop is None:
            break
        # What a screen reader announces: a role with a name, or with
        # text (a code block that scrolls is a stop, and reads its code;
        # a folded solution's toggle reads "Show the solution").
        spoken = page.locator(":focus").aria_snapshot().splitlines()[0]
        stop["spoken"] = spoken[:60]
        stop["name"] = bool(
            re.match(r"""- '?[\w ]+ "[^"]+"|- [\w ]+: \S""", spoken)
        )
        seen.append(stop)
    assert len(seen) > 30
    assert [s for s in seen if s["maths"]] == [], "formulas are tab stops"
    unnamed = [s["spoken"] for s in seen if not s["name"]]
    assert unnamed == [], "tab stops with nothing to announce"
    assert [s for s in seen if not s["ring"]] == [], "no focus ring"


# Each tab set's halves: its labels, and whether each shows between the
# listing before it (if any) and its own.
TAB_HALVES = """() => [...document.querySelectorAll(".sd-tab-set")].map(set =>
  [...set.querySelectorAll(":scope > label")].map((label, index, labels) => {
    const listing = label.nextElementSibling;
    const before = index ? labels[index - 1].nextElementSibling : null;
    const box = el => el.getBoundingClientRect();
    const shown = el => el.getClientRects().length > 0
      && getComputedStyle(el).visibility !== "hidden";
    return [label.textContent.trim(), shown(label) && shown(listing)
      && box(label).bottom <= box(listing).top + 1
      && (!before || box(before).bottom <= box(label).top + 1)];
  }))"""
# The page margins the site asks of a printer, in mm.
PAGE_MARGINS = """() => [...document.styleSheets].flatMap(sheet => {
  try { return [...sheet.cssRules]; } catch { return []; } })
  .filter(rule => rule instanceof CSSPageRule)
  .map(rule => rule.style.margin)"""
# Ink of the printed text: the luminance (0-255) of body text and code.
INK = """() => Object.fromEntries([["text", "article p"], ["code", "div.highlight pre"]]
  .map(([kind, selector]) => {
    const [r, g, b] = getComputedStyle(document.querySelector(selector))
      .color.match(/[\\d.]+/g).map(Number);
    return [kind, 0.299 * r + 0.587 * g + 0.114 * b]; }))"""


def millimetres(length: str) -> float:
    """A CSS length in mm or px, in millimetres."""
    number = float(re.fullmatch(r"([\d.]+)(mm|px)", length).group(1))
    return number if length.endswith("mm") else number / 96 * 25.4


def wait_for(page, condition: str, failure: str) -> None:
    """Wait until ``condition`` holds in the page; else fail, saying why."""
    try:
        page.wait_for_function(condition, timeout=5000)
    except PlaywrightTimeout:
        pytest.fail(failure)


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_chapters_print_whole_on_a4(site, browser, path):
    """Printed from the dark mode, the hardest case: in light colours,
    every solution open and marked so, both halves of every tab set under
    their labels, nothing cut at the edge, with a page margin. The films
    leave paper to their small multiples."""
    options = {"viewport": {"width": A4_PRINT_WIDTH, "height": 1123}}
    url = f"{site}/{path}"
    with Visit(browser, url, color_scheme="dark", **options) as visit:
        page = visit.page
        theme = "document.documentElement.dataset.theme"
        assert page.evaluate(theme) == "dark"
        page.emulate_media(media="print")
        # The print media query tells the page in an event, a task later.
        wait_for(page, f"{theme} === 'light'", "it prints in the dark theme")
        ink = page.evaluate(INK)
        assert ink["text"] < 80 and ink["code"] < 130, f"pale print: {ink}"
        margins = page.evaluate(PAGE_MARGINS)
        sides = [side for margin in margins for side in margin.split()]
        assert sides and all(millimetres(side) >= 10 for side in sides), (
            f"page margins: {margins}"
        )
        solutions = page.locator("details.hide pre")
        assert solutions.count() >= 3
        for index in range(solutions.count()):
            assert solutions.nth(index).is_visible(), "a solution is folded"
        markers = page.locator("details.hide > summary > p:visible")
        shapes = markers.evaluate_all(
            "titles => titles.map(t => getComputedStyle(t).listStyleType)"
        )
        folded = page.locator("details.hide").count()
        assert len(shapes) == folded, "one marker per solution"
        assert set(shapes) == {"disclosure-open"}, "a solution marked closed"
        halves = page.evaluate(TAB_HALVES)
        if path == CHAPTER_PAGES[1]:
            assert len(halves) >= 5
        for tab_set in halves:
            labels = [label.split()[0] for label, _ in tab_set]
            assert labels == ["NumPy", "PyTorch"], tab_set
            assert all(shown for _, shown in tab_set), f"unprinted: {tab_set}"
        films = page.locator(".film")
        assert all(not films.nth(i).is_visible() for i in range(films.count()))
        assert page.evaluate(CLIPPED) == []
        cut = page.evaluate(
            """() => [...document.querySelectorAll(
                 "pre, mjx-container[display], img")]
               .filter(el => el.getClientRects().length && (
                 el.scrollWidth > el.clientWidth + 1
                 || el.getBoundingClientRect().right > innerWidth))
               .map(el => el.tagName + ": " + el.textContent.slice(0, 50))"""
        )
        assert cut == [], "cut at the page edge in print"
        facts = page.evaluate(PRINT_FACTS)
        pdf = page.pdf(
            format="A4", print_background=True, prefer_css_page_size=True
        )
        if os.environ.get("SCREENSHOTS"):  # `make screenshots`: to look at
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            name = path.replace("/", "_")[:-5]
            (SCREENSHOTS / f"{name}-print.pdf").write_bytes(pdf)
        pages = printed_pages(pdf, margin_mm=min(map(millimetres, sides)))
        check_printed_pages(pages, facts, path)
        page.emulate_media(media="screen")
        wait_for(page, f"{theme} === 'dark'", "the screen stays light")


# What the printed page should hold, from the page itself in print: its
# headings, the lines that lead into code ("... in mlpcourse/scratch.py:"),
# each figure's cell, and the source files it names.
PRINT_FACTS = """() => {
  const figureCells = [...document.querySelectorAll("article .cell")].filter(
    cell => cell.querySelector(".cell_output img:not(.film img)"));
  const text = document.querySelector("article").innerText;
  return {
    headings: [...document.querySelectorAll("article :is(h1, h2, h3, h4)")]
      .map(heading => heading.textContent),
    leadIns: [...document.querySelectorAll("article p")].filter(p =>
      p.matches(":has(+ .cell, + .sd-tab-set, + div[class*=highlight-])")
      && p.textContent.trim().endsWith(":")).map(p => p.textContent),
    figures: figureCells.map(cell => {
      const lead = cell.previousElementSibling;
      return {
        code: cell.querySelector(".cell_input pre")?.textContent
          .split("\\n")[0] ?? "",
        lead: lead?.matches("p") ? lead.textContent : "",
        images: [...cell.querySelectorAll(".cell_output img")].map(img =>
          [img.getAttribute("src"), img.naturalWidth])};
    }),
    named: Object.fromEntries(["mlpcourse/scratch.py",
      "mlpcourse/torch_mlp.py"].map(name => [name, text.split(name).length
        - 1])),
  };
}"""
MOST_BLANK = 1 / 3  # of a page's printable height, but the chapter's last


def begins(line: str, texts) -> bool:
    """Whether a printed ``line`` is the start of one of ``texts``."""
    return len(plain(line)) >= 6 and any(
        plain(text).startswith(plain(line)) for text in texts
    )


def ends(line: str, texts) -> bool:
    """Whether a printed ``line`` is the end of one of ``texts``."""
    return len(plain(line)) >= 6 and any(
        plain(text).endswith(plain(line)) for text in texts
    )


def check_printed_pages(pages: list, facts: dict, path: str) -> None:
    """The PDF read back: every figure on its code's page and its text at
    9 pt or more; no heading or lead-in line alone at a page's foot; no
    page more than a third blank, unless what follows is a figure's cell
    that did not fit there; each source file named as often as on screen."""
    lines = [line for page in pages for line in page.lines]
    for name, count in facts["named"].items():
        printed = sum(line.count(name) for line in lines)
        assert printed == count, f"{name}: {printed} times, not {count}"
    if path == CHAPTER_PAGES[1]:
        assert facts["named"]["mlpcourse/torch_mlp.py"] >= 5
    images = [
        (number, *box)
        for number, page in enumerate(pages)
        for box in page.figures
    ]
    shown = [image for f in facts["figures"] for image in f["images"]]
    assert len(images) == len(shown), "a figure missing on paper"
    drawn = iter(images)
    for figure in facts["figures"]:
        for source, natural in figure["images"]:
            number, _, width_mm = next(drawn)
            inches = natural / png_dpi(source, path)
            points = TEXT_POINTS * width_mm / (inches * 25.4)
            assert points >= 9, f"{source}: text printed at {points:.1f} pt"
            if figure["code"]:
                assert any(
                    begins(line, [figure["code"]])
                    for line in pages[number].lines
                ), f"page {number + 1}: {figure['code']!r}'s figure alone"
    codes = [figure["code"] for figure in facts["figures"]]
    leads = [plain(figure["lead"]) for figure in facts["figures"]]
    for number, (page, after) in enumerate(itertools.pairwise(pages)):
        where = f"page {number + 1} of {len(pages)}"
        foot = page.lines[-1]
        assert not ends(foot, facts["headings"]), f"{where}: heading {foot!r}"
        assert not ends(foot, facts["leadIns"]), f"{where}: lead-in {foot!r}"
        if page.blank > MOST_BLANK:  # a figure's cell (and lead) moved on
            top = after.lines[0]
            moved = begins(top, codes) or (
                len(plain(top)) >= 6
                and any(plain(top) in lead for lead in leads)
            )
            assert moved, (
                f"{where} is {page.blank:.0%} blank, before {after.lines[0]!r}"
            )


FILMS = {CHAPTER_PAGES[0]: 2}  # chapter 2 shows none: chapter 1's agree
FRAME = """film => { const img = film.querySelector("img");
  return [film.querySelector("input[type=range]").value,
          img.src.length + ":" + img.src.slice(-48)]; }"""
# The film frames a page has asked for, by the folder the site keeps them in.
FRAME_FILES = f"/{FILM_FRAMES}/"
LOADED = "img => img.complete && img.naturalWidth > 0"
FETCHED = f"""performance.getEntriesByType("resource")
  .filter(entry => entry.name.includes("{FRAME_FILES}")).length"""


def frame_requests(visit) -> list[str]:
    return [url for url in visit.requests if FRAME_FILES in url]


@pytest.mark.parametrize("device", ["phone", "desktop"])
@pytest.mark.parametrize("path", FILMS)
def test_every_film_plays_steps_and_scrubs(site, browser, path, device):
    """Each training film, by pointer (touch and mouse on the phone) and by
    keyboard. Its frames are files on this site, fetched only as the reader
    comes near the film; its smallest text is as large as the figures'."""
    pointers = ["touch", "mouse"] if device == "phone" else ["mouse"]
    with open_at(browser, site, path, device) as visit:
        page = visit.page
        films = page.locator(".film")
        assert films.count() == FILMS[path]
        assert frame_requests(visit) == [], "frames fetched before needed"
        asked = 0
        for index in range(films.count()):
            film = films.nth(index)
            html = film.evaluate("film => film.outerHTML")
            assert "data:image" not in html, f"film {index}: frames embedded"
            film.scroll_into_view_if_needed()
            image = film.locator("img")
            page.wait_for_function(LOADED, arg=image.element_handle())
            frames = int(
                film.locator("input[type=range]").get_attribute("max")
            )
            wait_for(
                page,
                f"{FETCHED} >= {asked + frames + 1}",
                f"film {index}: its frames were not all fetched",
            )
            assert len(frame_requests(visit)) == asked + frames + 1, (
                f"film {index}: not each frame fetched once"
            )
            asked = len(frame_requests(visit))
            drawn, natural = image.evaluate(
                "img => [img.getBoundingClientRect().width, img.naturalWidth]"
            )
            css_px = TEXT_POINTS * FILM_DPI / 72 * drawn / natural
            assert css_px >= SMALLEST_FIGURE_TEXT[device], (
                f"film {index}: {TEXT_POINTS} pt text drawn at {css_px:.1f} "
                f"CSS px ({natural} px frames shown {drawn:.0f} px wide)"
            )
            check_film(page, film, pointers)
        hosts = {urlparse(url).hostname for url in visit.requests}
        assert hosts <= {"127.0.0.1", None}, f"requests left: {hosts}"


def check_film(page, film, pointers: list[str]) -> None:
    film.scroll_into_view_if_needed()
    slider = film.locator("input[type=range]")
    last = int(slider.get_attribute("max"))
    assert last + 1 >= 40, "fewer than 40 frames"
    frame = lambda: film.evaluate(FRAME)  # noqa: E731
    first = frame()
    assert first[0] == "0"

    def button(name: str):
        return film.get_by_role("button", name=name, exact=True)

    for pointer in pointers:
        press(page, button("Next frame"), pointer)
        assert frame()[0] == "1" and frame()[1] != first[1]
        press(page, button("Last frame"), pointer)
        assert frame()[0] == str(last)
        press(page, button("First frame"), pointer)
        assert frame() == first
        press(page, button("Play"), pointer)
        page.wait_for_function(
            "slider => slider.value >= 3", arg=slider.element_handle()
        )
        press(page, button("Pause"), pointer)
        paused = frame()
        page.wait_for_timeout(300)  # more than two frames at 8 a second
        assert frame() == paused, "the film went on after Pause"
        press(page, button("First frame"), pointer)
    # By keyboard, reached with Tab: the slider takes arrows, Home and
    # End; the buttons after it, Enter.
    button("Decrease speed").focus()
    page.keyboard.press("Shift+Tab")
    assert film.evaluate("f => document.activeElement.type") == "range"
    assert slider.evaluate(FOCUS_RING), "no focus ring on the slider"
    page.keyboard.press("End")
    assert frame()[0] == str(last)
    page.keyboard.press("Home")
    assert frame() == first
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    assert frame()[0] == "5"
    for name in ("Decrease speed", "First frame", "Previous frame"):
        page.keyboard.press("Tab")
        assert film.evaluate("f => document.activeElement.ariaLabel") == name
    assert button("Previous frame").evaluate(FOCUS_RING), "no focus ring"
    page.keyboard.press("Enter")
    assert frame()[0] == "4"
    page.keyboard.press("Shift+Tab")  # back to First frame
    page.keyboard.press("Enter")
    assert frame() == first


# The colour behind a film's controls: the first opaque background up from
# them.
PANEL = """film => { for (let el = film.querySelector(".anim-controls"); el;
    el = el.parentElement) { const colour = getComputedStyle(el)
    .backgroundColor; if (!colour.endsWith(", 0)")) return colour; }
  return "rgb(255, 255, 255)"; }"""


def luminance(colour: str) -> float:
    """WCAG's relative luminance of a CSS rgb() colour."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    high, low = sorted([luminance(one), luminance(other)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def centre_brightness(element) -> float:
    """How light a control is drawn at its centre, 0 to 255."""
    with Image.open(io.BytesIO(element.screenshot())) as shot:
        grey = shot.convert("L")
        return grey.getpixel((grey.width // 2, grey.height // 2))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_films_controls_show_their_state_on_a_phone(site, browser, scheme):
    """In either mode: the chosen repetition mode drawn filled and the
    others empty, every control a 44 px target, focus rings at 3:1."""
    options = {"viewport": {"width": WIDTHS["phone"], "height": 900}}
    url = f"{site}/{CHAPTER_PAGES[0]}"
    with Visit(
        browser,
        url,
        color_scheme=scheme,
        is_mobile=True,
        has_touch=True,
        **options,
    ) as visit:
        page = visit.page
        film = page.locator(".film").first
        film.scroll_into_view_if_needed()
        radios = film.locator("input[type=radio]")
        assert radios.count() == 3
        for index in range(radios.count()):
            radio = radios.nth(index)
            centre = centre_brightness(radio)
            if radio.is_checked():
                assert centre < 170, f"the chosen mode drawn empty: {centre}"
            else:
                assert centre > 200, f"a mode not chosen drawn full: {centre}"
            label = film.locator(f"label[for='{radio.get_attribute('id')}']")
            target = label.bounding_box()
            assert target["height"] >= 44 and target["width"] >= 44, target
        buttons = film.locator("button")
        for index in range(buttons.count()):
            box = buttons.nth(index).bounding_box()
            assert box["width"] >= 44 and box["height"] >= 44, box
        panel = film.evaluate(PANEL)
        for control in (buttons.nth(1), film.locator("input[type=range]")):
            control.focus()  # then reached by keyboard, as a ring needs
            page.keyboard.press("Tab")
            page.keyboard.press("Shift+Tab")
            assert control.evaluate(FOCUS_RING), f"no focus ring: {control}"
            ring = control.evaluate("el => getComputedStyle(el).outlineColor")
            assert contrast(ring, panel) >= 3, f"ring {ring} on {panel}"


def test_redirect_page_and_favicon(site, browser):
    with Visit(browser, f"{site}/index.html") as visit:
        page = visit.page
        assert page.url.endswith("/book/intro.html")
        response = page.request.get(f"{site}/index.html")
        text = response.text()
        assert '<html lang="en">' in text
        assert "<title>The multilayer perceptron, twice</title>" in text
        icon = page.request.get(f"{site}/favicon.ico")
        assert icon.ok
        with Image.open(io.BytesIO(icon.body())) as ico:
            assert ico.format == "ICO" and ico.size == (32, 32)
