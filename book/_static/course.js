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
