"""The opt-in best Vietnamese model: install layout (scripts/install-tessdata.sh), settings, and OCR with it.

Nothing here downloads: the script is run offline (npm made unreachable, or a local tarball), and the OCR tests use
the model `make install` put in the virtual environment, skipped where it is not installed."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from conftest import LINES, image_bytes, render_image

from sohoa.extractors import tesseract
from sohoa.extractors.tesseract import OcrOptions
from sohoa.extractors.text import TextOptions, extract_text
from sohoa.extractors.types import ExtractionError, ExtractionStatus, TextSource
from sohoa.pipelines.config import PipelineSettings
from sohoa.pipelines.ingest import text_options
from sohoa.settings import Settings

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "install-tessdata.sh"
BEST = Settings(ocr_model="best").ocr_tessdata_dir
assert BEST is not None
best_installed = pytest.mark.skipif(
    not (BEST / "vie.traineddata").is_file(), reason=f"best model not installed in {BEST} (make install)"
)


def _pin(name: str) -> str:
    found = re.search(rf'^{name}="([0-9a-f]{{64}})"$', SCRIPT.read_text(), re.M)
    assert found, name
    return found.group(1)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run_script(dest: Path, *args: str, npm: str = "/nonexistent/npm") -> subprocess.CompletedProcess[str]:
    # NPM pointing nowhere: the script can never fetch in a test.
    return subprocess.run(
        ["bash", str(SCRIPT), str(dest), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "NPM": npm},
        timeout=60,
    )


def _assert_links_to_system(dest: Path) -> None:
    """What Tesseract looks for in --tessdata-dir besides the model: OSD, the PDF renderer's font, configs."""
    for name in ("osd.traineddata", "pdf.ttf"):
        assert (dest / name).is_file(), name
    assert (dest / "configs" / "pdf").is_file()


@best_installed
def test_installed_dir_has_the_layout_ocr_options_expect() -> None:
    assert _sha256(BEST / "vie.traineddata") == _pin("MODEL_SHA256")
    assert not (BEST / "vie.traineddata").is_symlink()  # the best model itself, not the system's fast one
    _assert_links_to_system(BEST)


@best_installed
def test_script_is_idempotent_and_does_not_fetch_an_installed_model(tmp_path: Path) -> None:
    dest = tmp_path / "tessdata best"  # a space: paths are quoted
    dest.mkdir()
    shutil.copy(BEST / "vie.traineddata", dest / "vie.traineddata")
    for _ in range(2):
        done = _run_script(dest)
        assert done.returncode == 0 and done.stdout == "" and done.stderr == "", done
    assert _sha256(dest / "vie.traineddata") == _pin("MODEL_SHA256")
    _assert_links_to_system(dest)


def test_script_without_npm_warns_and_goes_on(tmp_path: Path) -> None:
    done = _run_script(tmp_path / "td")
    assert done.returncode == 0
    assert "npm not found" in done.stderr and "SOHOA_OCR_MODEL=fast" in done.stderr
    assert not (tmp_path / "td" / "vie.traineddata").exists()


def test_script_refuses_a_tarball_that_does_not_match_the_pin(tmp_path: Path) -> None:
    member = gzip.compress(b"not a model")
    tgz = tmp_path / "vie-1.0.0.tgz"
    with tarfile.open(tgz, "w:gz") as tar:
        info = tarfile.TarInfo("package/4.0.0_best_int/vie.traineddata.gz")
        info.size = len(member)
        tar.addfile(info, io.BytesIO(member))
    done = _run_script(tmp_path / "td", str(tgz))
    assert done.returncode == 0
    assert "SHA-256" in done.stderr and "not installed" in done.stderr
    assert not (tmp_path / "td" / "vie.traineddata").exists()
    _assert_links_to_system(tmp_path / "td")  # the links do not depend on the download


def test_settings_resolve_the_model_dir(tmp_path: Path) -> None:
    assert Settings().ocr_tessdata_dir is None  # fast: the system's tessdata, no --tessdata-dir
    assert Settings(ocr_model="best").ocr_tessdata_dir == (Path(sys.prefix) / "share/sohoa/tessdata-best").resolve()
    s = PipelineSettings(ocr_model="best", ocr_best_tessdata_dir=tmp_path)
    ocr = text_options(s).ocr
    assert (ocr.model, ocr.tessdata_dir) == ("best", tmp_path.resolve())


def test_settings_reject_an_unknown_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_OCR_MODEL", "tiny")
    with pytest.raises(ValueError, match="ocr_model"):
        Settings()


def test_best_not_installed_is_a_typed_error_not_a_fallback(tmp_path: Path) -> None:
    options = TextOptions(ocr=OcrOptions(model="best", tessdata_dir=tmp_path / "missing"), workers=1)
    with pytest.raises(ExtractionError) as err:
        extract_text(image_bytes(render_image(LINES[:2], dpi=200), dpi=200), options)
    assert err.value.status == ExtractionStatus.FAILED
    assert "vie.traineddata" in str(err.value) and "make install" in str(err.value)
    with pytest.raises(ExtractionError, match="tessdata dir"):
        tesseract.ocr_image(render_image(LINES[:1], dpi=200), 200, OcrOptions(model="best"))


@pytest.mark.slow
@best_installed
def test_ocr_with_best_reads_the_page_and_names_its_model() -> None:
    options = TextOptions(ocr=OcrOptions(model="best", tessdata_dir=BEST), workers=1)
    out = extract_text(image_bytes(render_image(dpi=300), dpi=300), options)
    page = out.extraction.pages[0]
    assert page.source == TextSource.OCR
    assert "thủ tục hành chính" in page.text and "12/2024/QĐ-UBND" in page.text
    (run,) = [r for r in out.extraction.tool_runs if r.step == "ocr"]
    model = BEST / "vie.traineddata"
    assert run.params["model"] == "best"
    assert run.params["language_pack"] == f"{model} ({model.stat().st_size} bytes)"
    # The fast model is a different file: the audit trail tells the two apart.
    assert tesseract.language_pack("vie") != run.params["language_pack"]


@pytest.mark.slow
@best_installed
def test_orientation_detection_reads_osd_from_the_best_dir(tmp_path: Path) -> None:
    sideways = render_image(dpi=300).rotate(90, expand=True)  # Pillow turns anticlockwise: 90° clockwise back
    turn, conf = tesseract.detect_orientation(sideways, 300, tessdata_dir=BEST)
    assert turn == 90 and conf > 1.5
    # The dir is really the one asked: without osd.traineddata there, OSD cannot tell.
    assert tesseract.detect_orientation(sideways, 300, tessdata_dir=tmp_path) == (0, 0.0)
