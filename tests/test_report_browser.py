"""The review page as a reviewer sees it, in a real headless Chromium (the Debian `chromium`
package; skipped, saying so, where it is not installed), and the README's picture measured at
the width GitHub shows a README (880 px).

The page is a shipped stack's report. A measuring script is appended to a copy of it; Chromium
lays the page out at 1600x900 and `--dump-dom` returns what the script wrote: where each section
starts. A screenshot of the same window is kept in the test's folder for a person to look at.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from faas.report import build_report
from faas.report.render import report_html
from faas.report.render.timeline import MIN_FONT
from policies import check as policycheck
from tests.support.plans import document as plan  # what `faas plan --json` writes

ROOT = Path(__file__).resolve().parent.parent
README_WIDTH = 880  # GitHub's README column
FOLD = 900
BROWSER = next(
    (b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None
)
needs_browser = pytest.mark.skipif(
    BROWSER is None,
    reason="no headless Chromium on this machine (Debian: apt-get install chromium)",
)

MEASURE = """<script>
(function(){var out={};['summary','policy','cost','critical-path','picture'].forEach(
function(id){var e=document.getElementById(id);if(e){var r=e.getBoundingClientRect();
out[id]={top:r.top,bottom:r.bottom};}});
var svg=document.querySelector('#pic svg');if(svg){out.svgWidth=svg.getBoundingClientRect().width;
document.getElementById('zin').click();out.zoomedWidth=svg.getBoundingClientRect().width;
var d=document.getElementById('picture');d.open=false;
out.foldedHeight=d.getBoundingClientRect().height;}
out.viewport=window.innerWidth;
var p=document.createElement('pre');p.id='measured';p.textContent=JSON.stringify(out);
document.body.appendChild(p);})();
</script>"""


def chromium(*args: str) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    flags = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    return subprocess.run(
        [BROWSER, *flags, f"--window-size=1600,{FOLD}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@needs_browser
def test_the_summary_findings_cost_and_critical_path_come_before_the_picture(
    tmp_path: Path,
) -> None:
    doc = plan("dev-blue")
    findings = policycheck.check_document(doc).to_dict()
    page = report_html(build_report(doc, findings))
    html = tmp_path / "dev-blue.html"
    html.write_text(page.replace("</body>", MEASURE + "</body>"))
    dom = chromium("--dump-dom", html.as_uri())
    match = re.search(r'<pre id="measured">(.*?)</pre>', dom.stdout)
    assert match, dom.stderr[-2000:]
    at = json.loads(match.group(1).replace("&quot;", '"'))
    # The summary is above the fold of a 1600x900 window; the findings, the cost and the
    # critical path come before the picture, which is last and no wider than the page.
    assert at["summary"]["bottom"] < FOLD, at
    assert at["policy"]["top"] < at["cost"]["top"] < at["critical-path"]["top"], at
    assert at["critical-path"]["top"] < at["picture"]["top"], at
    assert at["svgWidth"] <= at["viewport"], at
    # the zoom button enlarges it, and the picture folds away
    assert at["zoomedWidth"] > 1.4 * at["svgWidth"], at
    assert at["foldedHeight"] < 100, at
    shot = tmp_path / "dev-blue.png"
    proc = chromium(f"--screenshot={shot}", html.as_uri())
    assert shot.exists() and shot.stat().st_size > 10_000, proc.stderr[-2000:]


def _picture_in_readme() -> Path:
    readme = (ROOT / "README.md").read_text()
    found = re.findall(r"!\[[^\]]*\]\((docs/img/[^)]+\.svg)\)", readme)
    plan_pictures = [f for f in found if "cutover" not in f]
    assert plan_pictures, "the README shows a plan picture"
    return ROOT / plan_pictures[0]


def smallest_label_px(svg: str, shown_at: int) -> float:
    """The smallest font size of the SVG's text, in px, when shown `shown_at` px wide (a wider
    drawing is scaled down to fit; a narrower one is shown at its size)."""
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))  # type: ignore[union-attr]
    sizes = [float(s) for s in re.findall(r"font-size[=:]\"?([\d.]+)", svg)]
    scale = min(1.0, shown_at / width)
    return min(sizes) * scale


def test_the_readme_picture_is_legible_at_readme_width() -> None:
    svg = _picture_in_readme().read_text()
    assert smallest_label_px(svg, README_WIDTH) >= 10
    # and the measure itself: the whole-plan picture of the same stack is not legible there.
    whole = (ROOT / "docs" / "img" / "dev-blue.svg").read_text()
    assert smallest_label_px(whole, README_WIDTH) < 10
    assert MIN_FONT >= 10
