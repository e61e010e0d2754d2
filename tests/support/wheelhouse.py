"""A folder of wheels for the package's locked runtime dependencies, made offline from this test
environment's installed copies: what a registry would serve, for a workflow that installs the built
wheel anew (``uv pip install dist/*.whl``) where there is no registry to reach.

An installed distribution holds what its wheel held, under site-packages, plus the installer's own
files (INSTALLER, RECORD, the scripts made from entry points): the wheel is those files again, with
a new RECORD. Each version is checked against uv.lock, so the wheels are the versions CI tested.
"""

from __future__ import annotations

import base64
import hashlib
import re
import zipfile
from importlib import metadata
from pathlib import Path

from tests.support.paths import BIN_DIR, REPO_ROOT
from tests.support.processes import finished

_PINNED = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>[^ ;]+)")
_INSTALLER_FILES = frozenset({"INSTALLER", "RECORD", "REQUESTED", "direct_url.json"})


def locked_runtime_requirements() -> dict[str, str]:
    """Name to version of every runtime dependency uv.lock pins for this platform's install."""
    exported = finished(
        [
            str(BIN_DIR / "uv"),
            "export",
            "--locked",
            "--offline",
            "--no-dev",
            "--no-emit-project",
            "--no-hashes",
            "--format",
            "requirements-txt",
        ],
        cwd=REPO_ROOT,
    )
    assert exported.returncode == 0, exported.stderr
    pins = (_PINNED.match(line) for line in exported.stdout.splitlines())
    return {m["name"]: m["version"] for m in pins if m}


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def repack(distribution: metadata.Distribution, dest: Path) -> Path:
    """The wheel ``distribution`` was installed from, rebuilt from its installed files into ``dest``."""
    files = [Path(str(file)) for file in distribution.files or []]
    site = Path(str(distribution.locate_file("")))
    (dist_info,) = {site / f.parent for f in files if f.match("*.dist-info/METADATA")}
    # A wheel of several tags (manylinux_2_17 and manylinux2014) is named by its first.
    tag = next(
        line.split(":", 1)[1].strip()
        for line in (dist_info / "WHEEL").read_text(encoding="utf-8").splitlines()
        if line.startswith("Tag:")
    )
    name = re.sub(r"[-_.]+", "_", distribution.metadata["Name"]).lower()
    wheel = dest / f"{name}-{distribution.version}-{tag}.whl"
    records: list[str] = []
    with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            # Scripts (outside site-packages) and bytecode are the installer's: the next one remakes them.
            if path.parts[0] == ".." or "__pycache__" in path.parts:
                continue
            if path.parent.name == dist_info.name and path.name in _INSTALLER_FILES:
                continue
            data = (site / path).read_bytes()
            archive.writestr(path.as_posix(), data)
            records.append(_record_line(path.as_posix(), data))
        record_name = f"{dist_info.name}/RECORD"
        archive.writestr(record_name, "\n".join([*records, f"{record_name},,"]) + "\n")
    return wheel


def build_wheelhouse(dest: Path) -> Path:
    """``dest`` filled with a wheel of each locked runtime dependency, at its locked version."""
    dest.mkdir(parents=True, exist_ok=True)
    for name, version in locked_runtime_requirements().items():
        distribution = metadata.distribution(name)
        assert distribution.version == version, f"{name} is {distribution.version} here, {version} in uv.lock"
        repack(distribution, dest)
    return dest
