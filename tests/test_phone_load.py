"""`make bench`'s phone rows (scripts/phone_load.py): the site served as a
static host serves it, and what a load is measured by. Nothing is timed."""

import gzip
import sys
import urllib.request

import pytest
from paths import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

import phone_load  # noqa: E402

PAGE = (  # no favicon.ico asked for: the page names its icon
    "<!DOCTYPE html><title>t</title><link rel=icon href='data:,'>"
    "<link rel=stylesheet href=s.css><p>hi"
)


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    (folder / "index.html").write_text(PAGE * 50)
    (folder / "s.css").write_text("p { color: #222; }\n" * 100)
    (folder / "image.png").write_bytes(b"\x89PNG not really" * 100)
    with phone_load.serve_gzipped(folder) as url:
        yield folder, url


def get(url: str, gzipped: bool) -> tuple[str | None, bytes]:
    headers = {"Accept-Encoding": "gzip, deflate"} if gzipped else {}
    with urllib.request.urlopen(
        urllib.request.Request(url, headers=headers)
    ) as r:
        return r.headers.get("Content-Encoding"), r.read()


@pytest.mark.parametrize("name", ["index.html", "s.css"])
def test_text_is_gzipped_for_a_client_that_accepts_it(tiny_site, name):
    folder, url = tiny_site
    encoding, body = get(f"{url}/{name}", gzipped=True)
    assert encoding == "gzip"
    assert gzip.decompress(body) == (folder / name).read_bytes()
    assert len(body) < (folder / name).stat().st_size / 5
    assert get(f"{url}/{name}", gzipped=False) == (
        None,
        (folder / name).read_bytes(),
    )


def test_images_and_folders_are_served_as_a_static_host_serves_them(tiny_site):
    folder, url = tiny_site
    assert get(f"{url}/image.png", gzipped=True) == (
        None,
        (folder / "image.png").read_bytes(),
    )
    encoding, body = get(f"{url}/", gzipped=True)
    assert encoding == "gzip"
    assert gzip.decompress(body) == (folder / "index.html").read_bytes()


def test_a_load_counts_what_came_over_the_wire(tiny_site, browser):
    """Unthrottled: the page and its stylesheet, gzipped; no films."""
    folder, url = tiny_site
    load = phone_load.measure(
        browser, f"{url}/index.html", network=None, cpu=1
    )
    assert load.requests == 2
    sent = [
        get(f"{url}/{name}", gzipped=True)[1]
        for name in ("index.html", "s.css")
    ]
    assert load.html >= len(sent[0])
    assert load.transferred >= sum(map(len, sent))
    assert load.transferred < (folder / "index.html").stat().st_size
    assert load.frames == 0 and load.films_transferred == 0
    assert load.first_paint_s > 0 and load.load_s > 0


def test_the_median_load_is_each_fields_median():
    loads = [
        phone_load.Load(1.0, 9.0, 10, 100, 5, 0, 7),
        phone_load.Load(3.0, 2.0, 12, 300, 5, 0, 7),
        phone_load.Load(2.0, 5.0, 11, 200, 5, 1, 9),
    ]
    assert phone_load.median_load(loads) == phone_load.Load(
        2.0, 5.0, 11, 200, 5, 0, 7
    )
