"""Shared fixtures: the repository's paths, the command-line binary, the shared data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpus" / "bamako"
SHARED_DATA = ROOT.parent / "shared" / "data"


def twinwire_binary() -> Path:
    """The command line built from this checkout (TWINWIRE_BIN, else target/release or debug)."""
    given = os.environ.get("TWINWIRE_BIN")
    if given:
        return Path(given)
    for profile in ("release", "debug"):
        candidate = ROOT / "target" / profile / "twinwire"
        if candidate.exists():
            return candidate
    found = shutil.which("twinwire")
    if found:
        return Path(found)
    pytest.skip("no twinwire binary: run `cargo build --release` first (or set TWINWIRE_BIN)")


def cli_pairs(*args: str) -> List[Dict[str, Any]]:
    """The pairs the command line writes for `args`."""
    out = subprocess.run(
        [str(twinwire_binary()), "pairs", "-q", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines()]


def cli_lines(command: str, *args: str, output_flag: str, tmp: Path) -> List[Dict[str, Any]]:
    """The JSON lines a command writes to the file `output_flag` names."""
    target = tmp / f"{command}.jsonl"
    subprocess.run(
        [str(twinwire_binary()), command, "-q", *args, output_flag, str(target)],
        check=True,
        capture_output=True,
    )
    return [json.loads(line) for line in target.read_text().splitlines()]


def data_or_skip(name: str) -> Path:
    """A data set of ../shared/data, or a SKIPPED test saying it is absent."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"SKIPPED: {path} is absent (shared data is optional)")
    return path
