#!/usr/bin/env python3
# regen_name_lexicon.py — regenerates Haven's vendored person-name variant lexicon.
#
# Source: the MIT-licensed `rigour` package on PyPI (OpenSanctions), pinned to
# version 1.8.2, the last release that ships its Wikidata-derived lexicon of
# person name-part variants as a plain text file (`rigour/data/names/persons.txt`).
# From 2.0.0 on, rigour compiles that data into a Rust extension and no longer
# ships the text file.
#
# Writes:
#   crates/names/data/person_variants.txt   one group of equivalent name forms per line
#   crates/names/data/LICENSE-rigour.txt    the upstream licence, verbatim
# The program loads the lexicon from its index, made from that text afterwards by
#   cargo run -p haven-names --example index_lexicon
# (a test fails while the index does not match the text).
#
# Transformation (upstream line format: "form, form, ... => Q<wikidata id>", or
# "=> X<n>" for ~200 groups OpenSanctions curated by hand, e.g. patronymics):
#   * the QID/X id is dropped; each line keeps only its group of forms;
#   * each form is whitespace-collapsed, stripped, lower-cased (str.lower) and
#     NFC-normalised; all scripts are kept;
#   * duplicate forms within a group are removed, forms are sorted by code point;
#   * groups with fewer than 2 distinct forms are dropped, identical groups merged;
#   * groups are sorted by their sorted form tuple (code-point order).
#
# Usage (from the repository root; needs pip and network access to PyPI):
#   python3 scripts/regen_name_lexicon.py
#   python3 scripts/regen_name_lexicon.py --wheel /path/to/rigour-1.8.2-py3-none-any.whl
#
# Plain Python 3.11, standard library only; pip is only used to download the
# pinned wheel into a temporary directory (its SHA-256 is checked).

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

RIGOUR_VERSION = "1.8.2"
WHEEL_NAME = f"rigour-{RIGOUR_VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "21a375947ef9a1137452d3e1678a99ee364ef06f1de150ff39fe4a2d3179081a"
UPSTREAM_PATH = "rigour/data/names/persons.txt"
LICENSE_PATH = f"rigour-{RIGOUR_VERSION}.dist-info/licenses/LICENSE"
REGEN_COMMAND = "python3 scripts/regen_name_lexicon.py"

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "crates" / "names" / "data" / "person_variants.txt"
DEFAULT_LICENSE_OUTPUT = REPO_ROOT / "crates" / "names" / "data" / "LICENSE-rigour.txt"

_WS = re.compile(r"\s+")


def download_wheel(dest: Path) -> Path:
    """Download the pinned rigour wheel with pip (no dependencies) into dest."""
    cmd = [
        sys.executable, "-m", "pip", "download",
        f"rigour=={RIGOUR_VERSION}",
        "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
        "-q", "-d", str(dest),
    ]
    subprocess.run(cmd, check=True)
    wheel = dest / WHEEL_NAME
    if not wheel.exists():
        raise SystemExit(f"pip did not produce {WHEEL_NAME} in {dest}")
    return wheel


def check_sha256(path: Path) -> None:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(
            f"SHA-256 mismatch for {path.name}: got {digest}, expected {WHEEL_SHA256}"
        )


def normalise_form(form: str) -> str:
    form = _WS.sub(" ", form).strip().lower()
    return unicodedata.normalize("NFC", form)


def parse_groups(text: str) -> tuple[list[tuple[str, ...]], dict[str, int]]:
    """Parse upstream lines into sorted, de-duplicated groups of forms."""
    stats = {"upstream_lines": 0, "dropped_small": 0, "merged_duplicates": 0}
    groups: set[tuple[str, ...]] = set()
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        stats["upstream_lines"] += 1
        names_part, sep, qid = line.rpartition(" => ")
        if not sep or not re.fullmatch(r"[QX][0-9]+", qid.strip()):
            raise SystemExit(f"{UPSTREAM_PATH}:{lineno}: unexpected line format: {line!r}")
        forms = {normalise_form(f) for f in names_part.split(", ")}
        forms.discard("")
        if len(forms) < 2:
            stats["dropped_small"] += 1
            continue
        group = tuple(sorted(forms))
        if group in groups:
            stats["merged_duplicates"] += 1
        groups.add(group)
    return sorted(groups), stats


def copyright_line(license_text: str) -> str:
    for line in license_text.splitlines():
        if line.strip().lower().startswith("copyright"):
            return line.strip()
    raise SystemExit("no copyright line found in the rigour licence")


def render(groups: list[tuple[str, ...]], license_text: str, wheel_sha: str) -> str:
    n_forms = len({f for g in groups for f in g})
    header = [
        "Haven person-name variant lexicon (generated file; do not edit by hand).",
        f"Source package: rigour {RIGOUR_VERSION} (PyPI, OpenSanctions), wheel {WHEEL_NAME}",
        f"Wheel SHA-256: {wheel_sha}",
        f"Upstream path: {UPSTREAM_PATH} (Wikidata-derived person name-part variants)",
        f"Licence: MIT; {copyright_line(license_text)}",
        "Full licence text: crates/names/data/LICENSE-rigour.txt",
        f"Regenerate: {REGEN_COMMAND}",
        "Format: one group of equivalent name forms per line, separated by ', '.",
        "Forms are lower-cased and NFC-normalised; all scripts kept; Wikidata QIDs dropped;",
        "groups with fewer than 2 forms dropped; groups sorted by code point.",
        f"Groups: {len(groups)}; distinct forms: {n_forms}",
    ]
    out = [f"# {h}" for h in header]
    out.extend(", ".join(g) for g in groups)
    return "\n".join(out) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__ or "Regenerate the person-name lexicon.")
    ap.add_argument("--wheel", type=Path, help=f"use a local {WHEEL_NAME} instead of downloading")
    ap.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    ap.add_argument("--license-output", type=Path, default=DEFAULT_LICENSE_OUTPUT)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="haven-rigour-") as tmp:
        wheel = args.wheel if args.wheel else download_wheel(Path(tmp))
        check_sha256(wheel)
        with zipfile.ZipFile(wheel) as zf:
            text = zf.read(UPSTREAM_PATH).decode("utf-8")
            license_text = zf.read(LICENSE_PATH).decode("utf-8")

    groups, stats = parse_groups(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(groups, license_text, WHEEL_SHA256), encoding="utf-8", newline="\n")
    args.license_output.parent.mkdir(parents=True, exist_ok=True)
    args.license_output.write_text(license_text, encoding="utf-8", newline="\n")

    n_forms = len({f for g in groups for f in g})
    size = args.output.stat().st_size
    print(
        f"wrote {args.output}: {len(groups)} groups, {n_forms} distinct forms, {size} bytes "
        f"(upstream lines {stats['upstream_lines']}, dropped <2 forms {stats['dropped_small']}, "
        f"merged duplicate groups {stats['merged_duplicates']})",
        file=sys.stderr,
    )
    print(f"wrote {args.license_output}", file=sys.stderr)
    print("now rebuild the index: cargo run -p haven-names --example index_lexicon",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
