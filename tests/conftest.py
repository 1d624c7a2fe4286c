"""Shared tiny fixtures: a seeded autouse fixture and small images made in memory."""

import os

# scikit-learn's check_array_api_input skips itself unless SciPy's array API mode is on, which
# SciPy reads once at import: set it before anything imports SciPy, so the check really runs.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import importlib.util  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

# Accelerate is the optional "scale" extra: without it (``make test-min``) the accelerated
# estimator cannot train, and the tests that train it leave it out, as the scale tests skip.
HAS_ACCELERATE = importlib.util.find_spec("accelerate") is not None


def installed(classes):
    """Return ``classes`` without those whose optional dependency is not installed."""
    return [c for c in classes if HAS_ACCELERATE or "Accelerated" not in c.__name__]


def registry_estimators(*, without=()):
    """Return the registry's installed estimator classes, in its order, but the keys ``without``."""
    from debias_estimators.estimators import all_methods

    return installed([m.estimator for m in all_methods() if m.key not in without])


@pytest.fixture(autouse=True)
def _seeded():
    """Seed numpy and torch so every test starts from the same state."""
    # sklearn draws from the legacy global generator when random_state is None.
    np.random.seed(0)  # noqa: NPY002
    torch.manual_seed(0)
    yield


def make_blob_images(n=48, size=16, channels=3, seed=0, dtype=np.uint8):
    """Draw faces-vs-others toy images: class 1 has a bright centre blob, class 0 does not.

    Returns ``(X, y)`` with ``X`` shaped ``(n, size, size, channels)``.
    """
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    yy, xx = np.mgrid[:size, :size]
    blob = np.exp(-((yy - size / 2) ** 2 + (xx - size / 2) ** 2) / (2 * (size / 5) ** 2))
    X = rng.uniform(0, 0.4, size=(n, size, size, channels))
    X[y == 1] += 0.6 * blob[None, :, :, None]
    X = np.clip(X, 0, 1)
    if dtype == np.uint8:
        return (X * 255).astype(np.uint8), y
    return X.astype(dtype), y


@pytest.fixture
def blob_images():
    """48 uint8 RGB 16x16 images, half of each class."""
    return make_blob_images()


_PROBE = """<script>
window.__errors = [];
addEventListener("error", (e) => __errors.push(String(e.message || (e.target && e.target.src)
  || e.type)), true);
const __consoleError = console.error;
console.error = (...args) => { __errors.push(args.join(" ")); __consoleError(...args); };
addEventListener("load", () => {
  const images = [...document.images];
  const result = {
    images: images.length,
    rendered: images.filter((i) => i.complete && i.naturalWidth > 0).length,
    errors: __errors,
    title: document.title,
  };
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
});
</script>"""


def check_in_chromium(path):
    """Check an HTML report is self-contained, then load it in headless Chromium.

    The page itself must hold no script and load nothing from elsewhere (every image a
    ``data:`` PNG). A copy with a probe script is opened in Chromium, which reports how many
    images the page has, how many rendered, and every error and console error. Returns that
    report (a dict), after asserting there were no errors. Skips only when no Chromium is
    installed.
    """
    import base64
    import html
    import io
    import json
    import re
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from PIL import Image

    text = Path(path).read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    assert not re.search(r"""(src|href)=["'](https?:)?//""", text), "the page loads a URL"
    sources = re.findall(r'<img [^>]*src="([^"]+)"', text)
    prefix = "data:image/png;base64,"
    assert sources and all(s.startswith(prefix) for s in sources)
    for source in sources:
        Image.open(io.BytesIO(base64.b64decode(source[len(prefix) :]))).verify()

    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    browser = next((shutil.which(n) for n in names if shutil.which(n)), None)
    if browser is None:
        pytest.skip("Chromium is not installed (.ci/run installs it where apt-get can)")
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.html"
        probe.write_text(text.replace("<head>", "<head>\n" + _PROBE, 1), encoding="utf-8")
        run = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--user-data-dir={tmp}/profile",
                "--virtual-time-budget=10000",
                "--dump-dom",
                probe.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    found = re.search(r'<pre id="probe">(.*?)</pre>', run.stdout, re.S)
    assert found, f"Chromium did not run the page (exit {run.returncode}): {run.stderr[-2000:]}"
    result = json.loads(html.unescape(found.group(1)))
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line]
    assert result["errors"] == [] and console == [], (result["errors"], console)
    return result
