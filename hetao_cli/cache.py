"""A cache of checked fact files, so a large unchanged file is not parsed or validated again.

What the loader makes of each fact file (a plain dict: the file's checked entries when it is
valid on its own, else its parsed TOML) is kept with marshal in the user's cache folder:
$HETAO_CACHE_DIR, else $XDG_CACHE_HOME/hetao, else ~/.cache/hetao (%LOCALAPPDATA%\\hetao on
Windows). HETAO_NO_CACHE=1 turns it off. An entry is used only when its key still matches:
the file's path, size, mtime_ns, ctime_ns, inode and device, the hetao version, a checksum of
the loader's code, and the Python version.

The cache never changes what hetao reports: checks across files (duplicate ids, and links
and citations that leave a file) run every time, and a warm file is read only when a problem's
line must be named. Anything wrong with the cache (missing, corrupt, unwritable, stale) means
the file is read and parsed as if there were no cache: never an error, never a traceback.
Nothing is ever written next to a fact file.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from . import __version__

CACHE_DIR_VAR = "HETAO_CACHE_DIR"
NO_CACHE_VAR = "HETAO_NO_CACHE"
_MAGIC = b"hetao-parsed-1\n"
_LENGTH = 8  # bytes of the payload length after the magic
_KEEP = 256  # entries kept; beyond this the least recently written are removed

Parsed = dict[str, Any]


def cache_dir(env: Mapping[str, str] | None = None) -> Path | None:
    """Where parsed files are cached, or None when caching is off or there is no home."""
    env = os.environ if env is None else env
    if env.get(NO_CACHE_VAR, "").strip() not in ("", "0"):
        return None
    chosen = env.get(CACHE_DIR_VAR, "").strip()
    if chosen:
        return Path(chosen)
    if os.name == "nt" and env.get("LOCALAPPDATA"):
        return Path(env["LOCALAPPDATA"]) / "hetao"
    xdg = env.get("XDG_CACHE_HOME", "").strip()
    if xdg and os.path.isabs(xdg):  # the XDG spec says a relative value is ignored
        return Path(xdg) / "hetao"
    home = os.path.expanduser("~")
    return None if home == "~" else Path(home) / ".cache" / "hetao"


def read_parsed(
    path: Path, read: Callable[[Path], str], parse: Callable[[str, str], Parsed]
) -> tuple[str | None, Parsed]:
    """The file's text (from `read`) and what `parse` makes of it: from the cache when the
    file is unchanged (then the text is None: not read at all), else from `parse`, then
    cached. Errors of `read` and `parse` pass through."""
    folder = cache_dir()
    try:
        before = os.stat(path) if folder is not None else None
    except OSError:
        before = None  # `read` reports the file; there is nothing to cache
    if folder is not None and before is not None and os.access(path, os.R_OK):
        try:
            where = os.path.abspath(path)
            key = _key(where, before)
            entry = folder / f"{_name(where)}.marshal"
        except (OSError, ValueError):
            pass
        else:
            data = _get(entry, key)
            if data is not None:
                return None, data
    text = read(path)
    if folder is None or before is None:
        return text, parse(text, str(path))
    try:
        where = os.path.abspath(path)
        key = _key(where, before)
        entry = folder / f"{_name(where)}.marshal"
    except (OSError, ValueError):
        return text, parse(text, str(path))
    data = parse(text, str(path))
    try:
        after = os.stat(path)
    except OSError:
        return text, data
    # Written only when the file did not change while it was read, so a key never names
    # text other than the text parsed; and never into the fact file's own folder.
    if _key(where, after) == key and not _same_dir(folder, os.path.dirname(where)):
        _put(folder, entry, key, data)
    return text, data


_STAMP: list[int] = []


def _code_stamp() -> int:
    """A checksum of the code that shapes what is cached, so a changed loader (between
    releases too) never reads entries an older one wrote."""
    if not _STAMP:
        crc = 0
        for name in ("load.py", "model.py", "cache.py"):
            try:
                with open(os.path.join(os.path.dirname(__file__), name), "rb") as f:
                    crc = zlib.crc32(f.read(), crc)
            except OSError:
                crc = zlib.crc32(name.encode(), crc)
        _STAMP.append(crc)
    return _STAMP[0]


def _key(where: str, st: os.stat_result) -> tuple[Any, ...]:
    return (
        __version__,
        _code_stamp(),
        sys.version,
        marshal.version,
        where,
        st.st_size,
        st.st_mtime_ns,
        st.st_ctime_ns,  # moves on every write, and cannot be set back as mtime can
        st.st_ino,
        st.st_dev,
    )


def _name(where: str) -> str:
    raw = os.fsencode(where)
    return f"{zlib.crc32(raw):08x}{zlib.adler32(raw):08x}"


def _same_dir(folder: Path, other: str) -> bool:
    try:
        return os.path.samefile(folder, other)
    except OSError:
        return False  # the cache folder does not exist yet, so it is not the fact file's


def _get(entry: Path, key: tuple[Any, ...]) -> Parsed | None:
    try:
        with open(entry, "rb") as f:
            blob = f.read()
    except OSError:
        return None
    head = len(_MAGIC) + _LENGTH
    if not blob.startswith(_MAGIC) or len(blob) < head:
        return None
    if int.from_bytes(blob[len(_MAGIC) : head], "little") != len(blob) - head:
        return None  # truncated or padded
    try:
        stored = marshal.loads(memoryview(blob)[head:])
    except Exception:  # marshal raises ValueError, EOFError or TypeError on bad data
        return None
    if (
        isinstance(stored, tuple)
        and len(stored) == 2
        and stored[0] == key
        and isinstance(stored[1], dict)
    ):
        return stored[1]
    return None


def _put(folder: Path, entry: Path, key: tuple[Any, ...], data: Parsed) -> None:
    try:
        payload = marshal.dumps((key, data))
    except ValueError:
        return  # an unmarshallable value (a TOML date): this file is simply not cached
    tmp = entry.with_name(f".{entry.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC)
            f.write(len(payload).to_bytes(_LENGTH, "little"))
            f.write(payload)
        os.replace(tmp, entry)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return
    _prune(folder)


def _prune(folder: Path) -> None:
    """Keep the folder small: files from deleted or temporary fact files pile up otherwise."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.endswith(".marshal")]
        if len(entries) <= _KEEP:
            return
        entries.sort(key=lambda e: e.stat().st_mtime_ns)
        for e in entries[: len(entries) - _KEEP]:
            os.unlink(e.path)
    except OSError:
        pass
