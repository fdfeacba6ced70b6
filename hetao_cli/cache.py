"""A cache of checked fact files, so a large unchanged file is not parsed or validated again.

A fact file that is valid on its own is kept as its checked entries (marshal) in the user's
cache folder: $HETAO_CACHE_DIR, else $XDG_CACHE_HOME/hetao, else ~/.cache/hetao
(%LOCALAPPDATA%\\hetao on Windows). HETAO_NO_CACHE=1 turns it off. An entry is used only when
its key still matches: the file's path, size, mtime_ns, ctime_ns, inode and device, the hetao
version, a checksum of the loader's code, and the Python version. A file with problems of its
own is never cached: it is read and checked on every run, and its problems reported anew.

The cache never changes what hetao reports: checks across files (duplicate ids, and links
and citations that leave a file) run every time, and a warm file is read only when a problem's
line must be named. Anything wrong with the cache (missing, corrupt, unwritable, stale) means
the file is read and checked as if there were no cache: never an error, never a traceback.
Nothing is ever written next to a fact file. This module alone knows the cache's format.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import zlib
from collections.abc import Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, NamedTuple

from . import __version__
from .model import RECORDS, SCHEMAS, Citation, Entry, Kind, PartialDate
from .schema import Type

CACHE_DIR_VAR = "HETAO_CACHE_DIR"
NO_CACHE_VAR = "HETAO_NO_CACHE"
_MAGIC = b"hetao-checked-2\n"
_LENGTH = 8  # bytes of the payload length after the magic
_KEEP = 256  # entries kept; beyond this the least recently written are removed


class CheckedEntry(NamedTuple):
    """An entry of a file that is valid on its own, as the cache keeps it."""

    entry: Entry
    kind: Kind
    position: int  # among the entries of its kind in its file, from 0
    # links (field, ids) and cited source ids that leave the file: checked on every run
    links: tuple[tuple[str, tuple[str, ...]], ...]
    cites: tuple[str, ...]


def cache_dir(env: Mapping[str, str] | None = None) -> Path | None:
    """Where checked files are cached, or None when caching is off or there is no home."""
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


class Cache:
    """The checked entries of fact files, by each file's path and state.

    `checked(path)` returns what `store` kept for the file as it is now, or None. `store`
    keeps a file's entries only if the file has not changed since `checked` looked at it, so
    a key never names other text than the text that was checked."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._seen: dict[str, tuple[Any, ...]] = {}  # a file's key when checked() looked

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Cache | None:
        folder = cache_dir(env)
        return None if folder is None else cls(folder)

    def checked(self, path: Path) -> list[CheckedEntry] | None:
        try:
            where = os.path.abspath(path)
            key = _key(where, os.stat(path))
        except (OSError, ValueError):
            return None  # the loader reports the file
        self._seen[where] = key
        if not os.access(path, os.R_OK):
            return None  # unreadable now: the loader says so, as it would without a cache
        stored = _get(self._entry(where), key)
        if stored is None:
            return None
        try:
            return _thaw(stored)
        except (TypeError, ValueError, KeyError, IndexError):
            return None  # a damaged entry: the file is read afresh

    def store(self, path: Path, entries: Sequence[CheckedEntry]) -> None:
        try:
            where = os.path.abspath(path)
            now = _key(where, os.stat(path))
        except (OSError, ValueError):
            return
        # Never when the file changed since checked() saw it; never into its own folder.
        if self._seen.get(where) != now or _same_dir(self.folder, os.path.dirname(where)):
            return
        _put(self.folder, self._entry(where), now, _freeze(entries))

    def _entry(self, where: str) -> Path:
        return self.folder / f"{_name(where)}.marshal"


# ---------------------------------------------------------------------------------------------
# The format: marshal of (key, rows); rows are (kind, [(position, values, links, cites)]),
# with dates as (year, month, day, approximate) and enums as their values.


def _layout(kind: Kind) -> tuple[tuple[int, ...], tuple[tuple[int, dict[str, Any]], ...], int]:
    """Where a kind's record keeps its dates, its enums (with members by value), its citations."""
    schema = SCHEMAS[kind]
    dates = tuple(s.position for s in schema.of_type(Type.DATE))
    enums = tuple(
        (s.position, {str(m.value): m for m in _members(s.field.choices)})
        for s in schema.of_type(Type.CHOICE)
    )
    return dates, enums, schema.citations_index


def _members(choices: type[Enum] | None) -> list[Enum]:
    return list(choices) if choices is not None else []


_LAYOUTS = {kind: _layout(kind) for kind in Kind}
_KINDS = {k.value: k for k in Kind}


def _freeze(entries: Sequence[CheckedEntry]) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Entries as plain values that marshal can store, grouped by kind."""
    by_kind: dict[str, list[tuple[Any, ...]]] = {}
    for c in entries:
        dates, enums, cites = _LAYOUTS[c.kind]
        values: list[Any] = list(c.entry)
        for i in dates:
            d = values[i]
            values[i] = None if d is None else (d.year, d.month, d.day, d.approximate)
        for i, _ in enums:
            values[i] = values[i].value
        values[cites] = tuple(tuple(x) for x in values[cites])
        by_kind.setdefault(c.kind.value, []).append((c.position, tuple(values), c.links, c.cites))
    return list(by_kind.items())


def _thaw(rows: Any) -> list[CheckedEntry]:
    """The entries _freeze stored; raises TypeError, ValueError, KeyError or IndexError on
    anything else."""
    found: list[CheckedEntry] = []
    add = found.append
    shared: dict[Any, PartialDate] = {}  # dates repeat; a frozen date can be shared
    for kind_value, group in rows:
        kind = _KINDS[kind_value]
        dates, enums, cites = _LAYOUTS[kind]
        make = RECORDS[kind]
        linkable = {name for name, f in SCHEMAS[kind].toml.items() if f.is_link}
        for position, frozen, links, cited in group:
            for link_name, _ in links:
                if link_name not in linkable:
                    raise KeyError(link_name)  # a damaged entry fails here, not later
            values = list(frozen)
            for i in dates:
                parts = values[i]
                if parts is not None:
                    date = shared.get(parts)
                    if date is None:
                        date = shared[parts] = PartialDate(*parts)
                    values[i] = date
            for i, members in enums:
                values[i] = members[values[i]]
            values[cites] = tuple([Citation(*c) for c in values[cites]])
            add(CheckedEntry(make(*values), kind, position, links, cited))
    return found


_STAMP: list[int] = []


def _code_stamp() -> int:
    """A checksum of the code that shapes what is cached, so a changed loader (between
    releases too) never reads entries an older one wrote."""
    if not _STAMP:
        crc = 0
        for name in ("load.py", "model.py", "schema.py", "cache.py"):
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


def _get(entry: Path, key: tuple[Any, ...]) -> Any:
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
        and isinstance(stored[1], list)
    ):
        return stored[1]
    return None


def _put(folder: Path, entry: Path, key: tuple[Any, ...], data: Any) -> None:
    try:
        payload = marshal.dumps((key, data))
    except ValueError:
        return  # a value marshal cannot store: this file is simply not cached
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
