// Small fixes to the theme's behaviour, loaded on every page.

// The sidebar toggles. pydata-sphinx-theme 0.17 binds its handler to the
// first `.primary-toggle` (and `.secondary-toggle`) in the page, and
// sphinx-book-theme 1.3 renders a hidden duplicate of each before the button
// a reader sees, so the visible buttons do nothing
// (pydata/pydata-sphinx-theme#2451). Forward their clicks to the bound ones.
// Delete this block once the pinned theme versions fix that issue; the page
// tests in tests/test_devices.py will say whether they do.
document.addEventListener("DOMContentLoaded", () => {
  for (const kind of ["primary", "secondary"]) {
    const [bound, ...unbound] = document.querySelectorAll(`.${kind}-toggle`);
    for (const button of unbound) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        bound.click();
      });
    }
  }
});

// Print in the light theme, whatever the screen's mode: the dark one put
// grey text and grey-panelled figures on white paper. The theme keys its
// colours, and the code's, on <html data-theme>; this swaps it for the
// print and back: `beforeprint` for a printer, the print media query for
// a print preview or a PDF.
(() => {
  const html = document.documentElement;
  let onScreen = null;
  const toPaper = () => {
    if (onScreen === null) {
      onScreen = html.dataset.theme;
      html.dataset.theme = "light";
    }
  };
  const toScreen = () => {
    if (onScreen !== null) {
      html.dataset.theme = onScreen;
      onScreen = null;
    }
  };
  const print = window.matchMedia("print");
  print.addEventListener("change", () =>
    print.matches ? toPaper() : toScreen(),
  );
  window.addEventListener("beforeprint", toPaper);
  window.addEventListener("afterprint", toScreen);
})();

// A search result leads to the place that matches, highlighted. Sphinx's
// highlighter skips any page that loads searchtools.js, to spare its own
// results page, and this theme loads that script on every page (for its
// search dialog): so no page highlighted a term, and the term stayed
// stored for the next page. Run it on every page but the results, then
// bring the first match a reader can see into view, the address naming
// its section. A match in a tab not shown selects that tab; one in a
// folded solution stays folded.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof SphinxHighlight === "undefined") return;
  if (document.getElementById("search-results")) return;
  const arrivedAt = location.hash;
  SphinxHighlight.highlightSearchWords();
  // Sphinx highlights after a 10 ms timeout; timeouts of equal delay run in
  // the order they were set, so this one runs after it.
  setTimeout(() => {
    const matches = [...document.querySelectorAll("article span.highlighted")];
    if (!matches.length || arrivedAt) return; // a result that named its place
    const seen = (el) => el.getClientRects().length > 0;
    let match = matches.find(seen);
    if (!match) {
      match = matches.find((el) => el.closest(".sd-tab-content"));
      if (!match) return;
      const tab = match.closest(".sd-tab-content");
      tab.previousElementSibling.previousElementSibling.checked = true;
    }
    const section = match.closest("section[id]");
    if (section) history.replaceState(null, "", `#${section.id}`);
    const show = () => match.scrollIntoView({ block: "center" });
    show();
    // Maths typeset and figures loaded above the match move it down; keep
    // it in view until then, unless the reader has moved on.
    let moved = false;
    for (const kind of ["wheel", "touchstart", "keydown", "mousedown"]) {
      addEventListener(kind, () => (moved = true), { once: true, passive: true });
    }
    const again = () => {
      const box = match.getBoundingClientRect();
      if (!moved && (box.top < 0 || box.bottom > innerHeight)) show();
    };
    window.MathJax?.startup?.promise?.then(again);
    if (document.readyState === "complete") again();
    else addEventListener("load", again, { once: true });
  }, 10);
});

// A table wider than the column scrolls sideways in its own box (the
// theme's), and on a phone nothing showed that it does: chapter 2's table
// hid its PyTorch column. Say so under it, and fade each side that has
// more to see (course.css); both follow the reader's scrolling and the
// table's size, which changes as its maths is typeset.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll(
    ".pst-scrollable-table-container",
  )) {
    const hint = document.createElement("p");
    hint.className = "table-scrolls";
    hint.textContent = "The table scrolls sideways \u2194";
    hint.hidden = true;
    box.after(hint);
    const mark = () => {
      const hidden = box.scrollWidth - box.clientWidth;
      box.classList.toggle("more-right", box.scrollLeft < hidden - 1);
      box.classList.toggle("more-left", box.scrollLeft > 1);
      hint.hidden = hidden <= 1;
    };
    box.addEventListener("scroll", mark, { passive: true });
    const resized = new ResizeObserver(mark);
    resized.observe(box);
    if (box.firstElementChild) resized.observe(box.firstElementChild);
  }
});
