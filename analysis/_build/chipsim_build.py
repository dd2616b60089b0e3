"""A PEP 517 build backend for the chipsim analysis package, kept in the source tree
(pyproject.toml: backend-path) so that `pip install ./analysis` needs nothing from a package
index: the machines chipsim runs on reach Debian's archive but no PyPI, and pip's isolated
build environment could not fetch setuptools there. It builds a pure-Python wheel of
chipsim/ (PEP 427) and an editable install (PEP 660) as a .pth file."""
from __future__ import annotations

import base64
import hashlib
import io
import pathlib
import re
import tomllib
import zipfile

HERE = pathlib.Path(__file__).resolve().parent.parent  # analysis/


def _project() -> dict:
    return tomllib.loads((HERE / "pyproject.toml").read_text())["project"]


def _version() -> str:
    text = (HERE / "chipsim" / "__init__.py").read_text()
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def _metadata() -> str:
    p = _project()
    lines = ["Metadata-Version: 2.1", f"Name: {p['name']}", f"Version: {_version()}",
             f"Summary: {p['description']}", f"Requires-Python: {p['requires-python']}",
             f"License: {p.get('license', {}).get('text', '')}"]
    lines += [f"Requires-Dist: {d}" for d in p.get("dependencies", [])]
    return "\n".join(lines) + "\n\n" + (HERE / "README.md").read_text()


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _write_wheel(directory: str, files: dict[str, bytes]) -> str:
    name = f"chipsim-{_version()}"
    info = f"{name}.dist-info"
    files = dict(files)
    files[f"{info}/METADATA"] = _metadata().encode()
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: chipsim_build\n"
                              b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    record = io.StringIO()
    for path, data in files.items():
        record.write(f"{path},{_digest(data)},{len(data)}\n")
    record.write(f"{info}/RECORD,,\n")
    files[f"{info}/RECORD"] = record.getvalue().encode()
    wheel = f"{name}-py3-none-any.whl"
    with zipfile.ZipFile(pathlib.Path(directory) / wheel, "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files.items():
            info_ = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))  # reproducible
            info_.external_attr = 0o644 << 16
            z.writestr(info_, data, zipfile.ZIP_DEFLATED)
    return wheel


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = {}
    for f in sorted((HERE / "chipsim").rglob("*.py")):
        files[f.relative_to(HERE).as_posix()] = f.read_bytes()
    return _write_wheel(wheel_directory, files)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, {"chipsim.pth": (str(HERE) + "\n").encode()})
