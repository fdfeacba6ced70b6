"""A cache of checked fact files, so a large unchanged file is not parsed or validated again.

A fact file that is valid on its own is kept as its checked entries (marshal) in the user's
cache folder: $HETAO_CACHE_DIR, else $XDG_CACHE_HOME/hetao, else ~/.cache/hetao
(%LOCALAPPDATA%\\hetao on Windows). HETAO_NO_CACHE=1 turns it off. An entry is used only when
its key still matches: the file's path, size, mtime_ns, ctime_ns, inode and device, the hetao
version, a checksum of the loader's code, the TOML parser's name, version and files, and the
Python version. A file with problems of its own is never cached: it is read and checked on
every run, and its problems reported anew.

What the cache trusts, and why it cannot lie:
- Only the user's own folder and files. The folder, and each entry, must belong to the user
  and be writable by no one else (checked with stat and fstat; an entry is opened without
  following a symlink). Otherwise the cache is not used at all, silently. A folder hetao makes
  is made 0700, an entry 0600. So every entry read was written by the user (or root).
- Only an intact entry. Each carries its length and a CRC-32 of its payload, checked before the
  payload is unmarshalled; an entry larger than a bound set by its fact file's size is not
  even read. What the user wrote is what is read back, or nothing is.
- Only the code that wrote it: the key names the loader's code, the parser, and Python.

The cache never changes what hetao reports: checks across files (duplicate ids, and links
and citations that leave a file) run every time, and a warm file is read only when a problem's
line must be named. Anything wrong with the cache (missing, foreign, corrupt, unwritable,
stale) means the file is read and checked as if there were no cache: never an error, never a
traceback, never a message. Nothing is ever written next to a fact file. This module alone
knows the cache's format.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import re
import stat
import sys
import time
import zlib
from collections.abc import Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, NamedTuple

from . import __version__
from .model import RECORDS, SCHEMAS, Citation, Entry, Kind, PartialDate, Qualifier, Rank, Statement
from .schema import Type

CACHE_DIR_VAR = "HETAO_CACHE_DIR"
NO_CACHE_VAR = "HETAO_NO_CACHE"
# An entry: the magic, the payload's length (8 bytes) and CRC-32 (4 bytes), then the payload.
_MAGIC = b"hetao-checked-3\n"
_HEAD = len(_MAGIC) + 8 + 4
# The most an entry may hold, from its fact file's size: marshal of checked entries is 0.72 to
# 0.87 of their TOML on the bundled and generated facts, and 1.41 on the densest TOML (inline
# tables of one-letter values), so this is room to spare; a larger file is never read.
_GROWTH, _SLACK = 8, 1 << 20
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# O_NONBLOCK: a FIFO in place of an entry cannot make the open wait; no effect on a file.
_READ = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_WRITE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_BINARY", 0)
_DAY = 24 * 3600
# Pruning runs at most once a day, when a run writes an entry (a marker's mtime says when it
# last ran), never after every write and never on a warm run. It removes entries unused for
# 30 days (a hit refreshes an entry's mtime once a day), temporary files an interrupted
# write left over an hour ago, and the oldest entries beyond _KEEP.
_PRUNED = ".pruned"
_UNUSED = 30 * _DAY
_STALE_TMP = 3600
_KEEP = 20_000


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
        self._folder = os.fspath(folder)
        self._seen: dict[str, tuple[Any, ...]] = {}  # a file's key when checked() looked
        getuid = getattr(os, "getuid", None)  # None on Windows: no owner or mode to check
        self._uid: int | None = None if getuid is None else getuid()
        self._state: str | None = None  # the folder: _OK, _MISSING or _REFUSED, once known
        self._pruned = False  # whether this run has looked at the prune marker
        self._fact_dirs: dict[str, bool] = {}  # is this fact file's folder the cache folder?

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Cache | None:
        folder = cache_dir(env)
        return None if folder is None else cls(folder)

    def checked(self, path: Path) -> list[CheckedEntry] | None:
        try:
            where = os.path.abspath(path)
            st = os.stat(path)
            key = _key(where, st)
        except (OSError, ValueError):
            return None  # the loader reports the file
        self._seen[where] = key
        if not os.access(path, os.R_OK):
            return None  # unreadable now: the loader says so, as it would without a cache
        if not self._usable(create=False):
            return None
        stored = _get(self._entry(where), key, _bound(st.st_size), self._uid)
        if stored is None:
            return None
        try:
            return _thaw(stored)
        except (TypeError, ValueError, KeyError, IndexError):
            return None  # a damaged entry: the file is read afresh

    def store(self, path: Path, entries: Sequence[CheckedEntry]) -> None:
        try:
            where = os.path.abspath(path)
            st = os.stat(path)
            now = _key(where, st)
        except (OSError, ValueError):
            return
        # Never when the file changed since checked() saw it; never into its own folder.
        if self._seen.get(where) != now or self._holds_facts(os.path.dirname(where)):
            return
        if not self._usable(create=True):
            return
        if not self._pruned:
            self._pruned = True
            _maybe_prune(self._folder)
        _put(self._folder, self._entry(where), now, _freeze(entries), _bound(st.st_size))

    def _entry(self, where: str) -> str:
        return os.path.join(self._folder, f"{_name(where)}.marshal")

    def _usable(self, create: bool) -> bool:
        """Whether the folder is the user's alone; made (0700) when `create` and missing.

        Checked once a run, by path; each entry is checked again on its open file (fstat), so
        a folder swapped after this check still yields no entry that is not the user's."""
        state = self._state
        if state is None or (state == _MISSING and create):
            state = self._state = _folder_state(self.folder, self._uid, create)
        return state == _OK

    def _holds_facts(self, folder: str) -> bool:
        same = self._fact_dirs.get(folder)
        if same is None:
            same = self._fact_dirs[folder] = _same_dir(self.folder, folder)
        return same


_OK, _MISSING, _REFUSED = "ok", "missing", "refused"


def _owned(st: os.stat_result, uid: int | None) -> bool:
    """The user's, and writable by no one else (always true where there is no getuid)."""
    return uid is None or (st.st_uid == uid and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def _folder_state(folder: Path, uid: int | None, create: bool) -> str:
    try:
        st = os.stat(folder)  # a symlinked folder is judged by its target
    except FileNotFoundError:
        if not create:
            return _MISSING
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            st = os.stat(folder)  # whoever made it, it is checked as any folder is
        except OSError:
            return _REFUSED
    except OSError:
        return _REFUSED
    return _OK if stat.S_ISDIR(st.st_mode) and _owned(st, uid) else _REFUSED


def _bound(fact_size: int) -> int:
    return _GROWTH * fact_size + _SLACK


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
            if values[i] is not None:
                values[i] = values[i].value
        values[cites] = tuple(tuple(x) for x in values[cites])
        if values[-1]:
            values[-1] = tuple(map(_freeze_statement, values[-1]))
        by_kind.setdefault(c.kind.value, []).append((c.position, tuple(values), c.links, c.cites))
    return list(by_kind.items())


_LINKABLE: dict[Kind, frozenset[str]] = {}


def _linkable(kind: Kind) -> frozenset[str]:
    """The fields of a kind that hold links: once a run, not once a file."""
    found = _LINKABLE.get(kind)
    if found is None:
        toml = SCHEMAS[kind].toml
        found = _LINKABLE[kind] = frozenset(name for name, f in toml.items() if f.is_link)
    return found


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
        linkable = _linkable(kind)
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
                if values[i] is not None:
                    values[i] = members[values[i]]
            values[cites] = tuple([Citation(*c) for c in values[cites]])
            if values[-1]:
                values[-1] = tuple(map(_thaw_statement, values[-1]))
            add(CheckedEntry(make(*values), kind, position, links, cited))
    return found


def _date_parts(d: PartialDate | None) -> tuple[Any, ...] | None:
    return None if d is None else (d.year, d.month, d.day, d.approximate)


def _freeze_statement(s: Statement) -> tuple[Any, ...]:
    value = s.value
    frozen = _date_parts(value) if isinstance(value, PartialDate) else value
    return (s.field, frozen, s.source, s.quote, s.as_written, s.qualifier.value, s.value_max,
            _date_parts(s.as_of), s.rank.value, s.reason, s.note)  # fmt: skip


def _thaw_statement(t: Any) -> Statement:
    field, value, source, quote, written, qualifier, vmax, as_of, rank, reason, note = t
    if isinstance(value, tuple):
        value = PartialDate(*value)
    elif not isinstance(value, (int, float)):
        raise TypeError("a statement's value")
    when = None if as_of is None else PartialDate(*as_of)
    return Statement(field, value, source, quote, written, Qualifier(qualifier), vmax, when,
                     Rank(rank), reason, note)  # fmt: skip


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


_PARSER: list[tuple[Any, ...] | None] = []
_VERSION_RE = rb"^__version__\s*=\s*[\"']([^\"']+)[\"']"  # compiled when used (re caches it)


def _parser_stamp() -> tuple[Any, ...] | None:
    """The TOML parser that would check a file: its name, version and files (name, size,
    mtime), found as `import tomli` would find it but without importing it, since a warm run
    parses nothing. None when it cannot be found: then nothing is cached."""
    if not _PARSER:
        _PARSER.append(_find_parser("tomli"))
    return _PARSER[0]


def _find_parser(name: str) -> tuple[Any, ...] | None:
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        try:
            spec = None if find is None else find(name, None)
        except (ImportError, OSError, ValueError):
            return None  # `import tomli` would fail too
        if spec is not None:
            break
    else:
        return None
    found = spec.submodule_search_locations
    if not found or not spec.origin:
        return None  # not a package in a folder (a zip, a namespace): not cached
    folder = next(iter(found))
    try:
        with open(os.path.join(folder, "__init__.py"), "rb") as f:
            version = re.search(_VERSION_RE, f.read(), re.MULTILINE)
        files = []
        with os.scandir(folder) as listing:
            for e in listing:
                if e.is_file():
                    st = e.stat()
                    files.append((e.name, st.st_size, st.st_mtime_ns))
    except OSError:
        return None
    return (name, version[1].decode() if version else "", spec.origin, tuple(sorted(files)))


def _key(where: str, st: os.stat_result) -> tuple[Any, ...]:
    parser = _parser_stamp()
    if parser is None:
        raise ValueError("no TOML parser found")
    return (
        __version__,
        _code_stamp(),
        parser,
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


def _header(payload: bytes | memoryview) -> bytes:
    return _MAGIC + len(payload).to_bytes(8, "little") + zlib.crc32(payload).to_bytes(4, "little")


def _get(entry: str, key: tuple[Any, ...], bound: int, uid: int | None) -> Any:
    """The rows stored under `key`, or None. The checks come in order of cost: the entry must
    be the user's own regular file (not a symlink), no larger than `bound`, of the length its
    header gives and with its CRC-32, before marshal reads a byte of it."""
    try:
        fd = os.open(entry, _READ)
    except OSError:
        return None  # missing (the usual miss), or a symlink
    try:
        st = os.fstat(fd)
        size = st.st_size
        if not (stat.S_ISREG(st.st_mode) and _owned(st, uid) and _HEAD <= size <= bound):
            return None
        blob = _read(fd, size)
        if time.time() - st.st_mtime > _DAY and os.utime in os.supports_fd:
            os.utime(fd)  # used: pruning keeps it for another 30 days
    except OSError:
        return None
    finally:
        os.close(fd)
    view = memoryview(blob)
    payload = view[_HEAD:]
    if view[:_HEAD] != _header(payload):
        return None  # not this format, truncated, padded, or damaged
    try:
        stored = marshal.loads(payload)
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


def _read(fd: int, size: int) -> bytes:
    """Up to `size` bytes: fewer only if the file shrank since fstat (then the header fails)."""
    parts = []
    while size > 0 and (chunk := os.read(fd, size)):
        parts.append(chunk)
        size -= len(chunk)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _put(folder: str, entry: str, key: tuple[Any, ...], data: Any, bound: int) -> None:
    try:
        payload = marshal.dumps((key, data))
    except ValueError:
        return  # a value marshal cannot store: this file is simply not cached
    if _HEAD + len(payload) > bound:
        return  # it would never be read back
    tmp = os.path.join(
        folder, f".{os.path.basename(entry)}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    )
    made = False
    try:
        fd = os.open(tmp, _WRITE, 0o600)
        made = True
        try:
            _write(fd, _header(payload))
            _write(fd, payload)
        finally:
            os.close(fd)
        os.replace(tmp, entry)
    except BaseException as exc:  # Ctrl-C too: never leave a partial file behind
        if made:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if not isinstance(exc, OSError):
            raise


def _maybe_prune(folder: str) -> None:
    """Prune when the marker says the last prune was a day ago or more (or never)."""
    marker = os.path.join(folder, _PRUNED)
    now = time.time()
    try:
        if now - os.stat(marker).st_mtime < _DAY:
            return
        os.utime(marker)
    except FileNotFoundError:
        try:
            os.close(os.open(marker, _WRITE, 0o600))
        except OSError:
            return  # another run made it just now, or the folder is not writable
    except OSError:
        return
    _prune(folder, now)


def _prune(folder: str, now: float) -> None:
    """Keep the folder small: entries of deleted or temporary fact files, and the temporary
    files of writes cut short by a crash, pile up otherwise."""
    kept: list[tuple[float, str]] = []
    try:
        with os.scandir(folder) as listing:
            for e in listing:
                name = e.name
                with contextlib.suppress(OSError):
                    if name.endswith(".marshal"):
                        mtime = e.stat(follow_symlinks=False).st_mtime
                        if now - mtime > _UNUSED:
                            os.unlink(e.path)
                        else:
                            kept.append((mtime, e.path))
                    elif (
                        name.startswith(".")
                        and name.endswith(".tmp")
                        and now - e.stat(follow_symlinks=False).st_mtime > _STALE_TMP
                    ):
                        os.unlink(e.path)
    except OSError:
        return
    if len(kept) > _KEEP:
        kept.sort()
        for _, path in kept[: len(kept) - _KEEP]:
            with contextlib.suppress(OSError):
                os.unlink(path)
