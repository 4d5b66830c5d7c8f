"""`generate`'s SQLite writer: a child process that stores the batches the parent makes.

SQLite does an INSERT's per-row work fastest when the rows are bound one by one
(`executemany`: ~8 µs an event row, against ~20 µs unpacked from a JSON array with
`json_each` and a `json_extract` per column). But `executemany` takes the GIL back for every
row, and in a thread beside the generating one it was starved of it (docs/decisions.md). In a
process of its own it has a core and a GIL to itself, so the parent only makes the batches
and serialises each as one orjson text (~0.5 µs a row).

A batch is `[[table, [row, ...]], ...]`, each row the list of its values in the order of
the table's `Insert.keys` (the JSON of datetimes, lists and dicts as orjson writes them), bound
positionally. As lists, not dicts, a batch parses in half the time and binds without a name
lookup per value; the parent makes them from its instances' attribute dicts with one
`itemgetter` per table (`positional`). The child imports nothing of the app but this module
and app/bulk_render.py (it starts in ~0.1 s), and the statements come from the parent:
`Insert(table, sql, keys, json_keys, ...)`.

The child also makes each event's stored rendering (`Insert.render_zone`), which the parent
made before: the parent, which walks the shop, is the slower of the two, and a rendering sent
as a JSON string inside the batch was made, escaped and parsed again on the way. For the same
reason it numbers the events (`Insert.first_id`, `WRITER_MADE`).

The child's connection is APSW's (PyPI `apsw`, which builds in a current SQLite), not the
sqlite3 module's over the system's SQLite 3.40: the same batches of a 1M-event run, replayed,
cost its INSERTs ~25-35% less CPU (the events' 6.0-6.9 s against 8.1-10.6 s), and whole runs
took 24.9-28.3 s against 28.5-33.4 s (docs/decisions.md). The file is the same SQLite file
either way; the server keeps the sqlite3 module, whose reads were the faster (~30 µs against
~35-47 µs for a page's statement).

The child is `python -m app.sqlite_bulk DATABASE`, fed length-prefixed frames on stdin (see
`main`).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import gc
import os
import subprocess
import sys
import threading
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from itertools import count, islice
from operator import itemgetter, lt
from pathlib import Path
from queue import Queue
from typing import IO, Any, Protocol
from zoneinfo import ZoneInfo

import apsw
import orjson

from app.bulk_render import Renderings, stored_renderer

SQLITE_CACHE_KIB = 256 * 1024
BUSY_TIMEOUT_MS = 10_000
# The pipe to the child: Linux's most without privileges (/proc/sys/fs/pipe-max-size), so a
# ~6 MB batch crosses in ~7 writes and reads instead of ~100 of 64 KiB, each read a wait for
# the GIL in the child's reading thread.
PIPE_BYTES = 1 << 20


@dataclass(frozen=True)
class Insert:
    table: str
    sql: str  # INSERT INTO t (...) VALUES (?, ...), each value typed as SQLAlchemy stores it
    keys: tuple[str, ...]  # the columns, in the order of each row's values
    json_keys: tuple[str, ...]  # values stored as JSON text (lists and dicts arrive parsed)
    # The events' table: count them (EventCounter) with this upsert, at these bucket sizes.
    counts: str | None = None
    count_levels: tuple[int, ...] = ()
    # The events' table: its `rendered` and `rendered_created_at` columns made here
    # (app/bulk_render.py), in this zone.
    render_zone: str | None = None
    # The events' table on SQLite: the ids are this writer's to give, from this one on in the
    # order the rows arrive, and each row arrives without its `WRITER_MADE` values (the last
    # of `keys`), which are added here.
    first_id: int | None = None

    def __post_init__(self) -> None:
        if self.first_id is not None and tuple(self.keys[-len(WRITER_MADE) :]) != WRITER_MADE:
            raise ValueError(f"{self.table}: the keys must end with {WRITER_MADE}")


# What the writer adds to each row of a table it numbers (`Insert.first_id`): the id, and
# the stored renderings (`Insert.render_zone`; NULL without one). The parent then neither
# numbers its events nor sends three values of each (~0.6 s of its CPU per 1M events).
WRITER_MADE = ("id", "rendered", "rendered_created_at")
_UNRENDERED = (None,) * (len(WRITER_MADE) - 1)  # after the id, until rendered


def numbering(inserts: Iterable[Insert]) -> dict[str, Iterator[int]]:
    """The ids the writer gives, per table it numbers (for `store_batch`, across batches)."""
    return {i.table: count(i.first_id) for i in inserts if i.first_id is not None}


class Connection(Protocol):
    """What the writer needs of a connection: APSW's (the child's) or the sqlite3 module's
    (an in-memory shop's, written in the generating process), each in autocommit."""

    def execute(self, sql: str, /) -> object: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> object: ...


_HOUR_PREFIX = itemgetter(slice(0, 13))  # orjson's `YYYY-MM-DDTHH:MM:SS`, to the hour
_Sums = dict[Any, list[int]]


def _add(sums: _Sums, key: Any, counts: list[int]) -> None:
    """Add `counts` ([n, lowest id, highest id]) into `sums[key]` (a copy, where it is new)."""
    row = sums.get(key)
    if row is None:
        sums[key] = counts.copy()
    else:
        row[0] += counts[0]
        if counts[1] < row[1]:
            row[1] = counts[1]
        if counts[2] > row[2]:
            row[2] = counts[2]


class EventCounter:
    """The `event_counts` rows (app/models/event_count.py) of the events a bulk writer stores,
    summed in memory and upserted as their buckets close, in the batch's transaction, instead
    of the triggers' twelve upserts per event or a recount at the end (5-6 s per 1M events).

    The events come in time order, so a bucket that ends before the latest event's hour gets
    no more events and is written then; `flush(final=True)` writes the rest. Written early or
    twice, a row would still be right: the upsert adds to what is there.

    Rows are positional (`keys` names their values). A batch is first grouped by (subject
    type, verb, hour) with C-level counting (`Counter` over columns taken with `itemgetter`,
    and dicts built from the ascending ids for each group's lowest and highest). Only the
    groups (a 1M-event shop has ~240,000) are then summed in Python, each sum from the one
    below it: the batch's four kinds at the finest level from the groups, each coarser level
    from the one finer (so each level's size divides the next), and each level into `rows`.
    Fanning each group out to its twelve rows cost a quarter more (308M against 249M
    instructions a 20,000-event batch).
    """

    def __init__(self, levels: tuple[int, ...], keys: tuple[str, ...]) -> None:
        if any(coarser % finer for finer, coarser in zip((1, *levels), levels, strict=False)):
            raise ValueError(f"each bucket size must divide the next: {levels}")
        self.levels = levels
        self.rows: dict[tuple[int, str, str, int, int], list[int]] = {}
        self._hours: dict[str, int] = {}
        self.latest = 0
        self._id = itemgetter(keys.index("id"))
        self._columns = tuple(
            itemgetter(keys.index(key)) for key in ("subject_type", "verb", "created_at")
        )

    def _hour(self, prefix: str) -> int:
        """Hours since 0001-01-01 00:00 of orjson's `YYYY-MM-DDTHH` (as the SQL counts them)."""
        hour = self._hours.get(prefix)
        if hour is None:
            day = date(int(prefix[:4]), int(prefix[5:7]), int(prefix[8:10]))
            hour = self._hours[prefix] = (day.toordinal() - 1) * 24 + int(prefix[11:13])
        return hour

    def add(self, events: list[list[Any]]) -> None:
        if not events:
            return
        subject_types, verbs, created = (map(column, events) for column in self._columns)
        groups = list(zip(subject_types, verbs, map(_HOUR_PREFIX, created), strict=True))
        ids = list(map(self._id, events))
        sizes = Counter(groups)
        if all(map(lt, ids, islice(ids, 1, None))):  # ascending, as generate's are
            # The last write of a key wins: backwards, that is the group's first (lowest) id.
            low = dict(zip(reversed(groups), reversed(ids), strict=True))
            high = dict(zip(groups, ids, strict=True))
        else:
            low, high = {}, {}
            for group, event_id in zip(groups, ids, strict=True):
                low[group] = min(low.get(group, event_id), event_id)
                high[group] = max(high.get(group, event_id), event_id)
        # This batch at the finest level: (kind, type, verb, bucket) -> [n, lowest, highest].
        level: _Sums = {}
        for group, n in sizes.items():
            subject_type, verb, prefix = group
            hour = self._hour(prefix)
            counts = [n, low[group], high[group]]
            level[(0, subject_type, verb, hour)] = counts
            _add(level, (1, subject_type, "", hour), counts)
            _add(level, (2, "", verb, hour), counts)
            _add(level, (3, "", "", hour), counts)
            self.latest = max(self.latest, hour)
        finer = 1
        for index, size in enumerate(self.levels):
            if size != finer:
                coarser: _Sums = {}
                ratio = size // finer
                for (kind, kind_type, kind_verb, bucket), counts in level.items():
                    _add(coarser, (kind, kind_type, kind_verb, bucket // ratio), counts)
                level, finer = coarser, size
            for (kind, kind_type, kind_verb, bucket), counts in level.items():
                _add(self.rows, (kind, kind_type, kind_verb, index, bucket), counts)

    def flush(self, db: Connection, upsert: str, final: bool = False) -> None:
        latest = self.latest
        sizes = self.levels
        closed = [key for key in self.rows if final or (key[4] + 1) * sizes[key[3]] <= latest]
        db.executemany(upsert, [(*key, *self.rows.pop(key)) for key in closed])


def positional(keys: tuple[str, ...]) -> Callable[[list[dict[str, Any]]], list[Any]]:
    """The parent's side: rows (dicts) as lists of their values in `keys` order, as the child
    binds them; a key a row lacks (an attribute never set) is NULL."""
    if len(keys) < 2:
        raise ValueError("a table of one column")  # itemgetter would give bare values
    get = itemgetter(*keys)

    def values(rows: list[dict[str, Any]]) -> list[Any]:
        try:
            return list(map(get, rows))
        except KeyError:
            return [[row.get(key) for key in keys] for row in rows]

    return values


def store_batch(
    db: Connection,
    inserts: dict[str, Insert],
    payload: bytes,
    counter: EventCounter | None = None,
    ids: dict[str, Iterator[int]] | None = None,
) -> None:
    """Store one batch in one transaction (with the count rows `counter` has closed), the
    rows of a table in `ids` (`numbering`) numbered from it."""
    batch: list[list[Any]] = orjson.loads(payload)
    dumps = orjson.dumps
    db.execute("BEGIN")
    try:
        for name, rows in batch:
            insert = inserts[name]
            numbers = None if ids is None else ids.get(name)
            if numbers is not None:
                for row, number in zip(rows, numbers, strict=False):  # to the rows' end
                    row.append(number)
                    row += _UNRENDERED
            if insert.render_zone is not None:
                _render(rows, insert.render_zone, insert.keys)
            for i in [insert.keys.index(key) for key in insert.json_keys]:
                for row in rows:
                    value = row[i]
                    if value is not None:
                        row[i] = dumps(value).decode()
            db.executemany(insert.sql, rows)
            if counter is not None and insert.counts is not None:
                counter.add(rows)
                counter.flush(db, insert.counts)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _render(rows: list[list[Any]], zone: str, keys: Sequence[str]) -> None:
    """Fill in each event row's stored renderings (from its values as they arrived: JSON
    parsed)."""
    render = _renderer(zone, tuple(keys))  # keys arrive as a JSON list
    at, created_at = keys.index("rendered"), keys.index("rendered_created_at")
    for row in rows:
        row[at], row[created_at] = render(row)


@functools.cache
def _renderer(zone: str, keys: tuple[str, ...]) -> Callable[[list[Any]], Renderings]:
    return stored_renderer(ZoneInfo(zone), keys)


@contextmanager
def counting(db: Connection, inserts: Iterable[Insert]) -> Iterator[EventCounter | None]:
    """The counter for the batches stored inside, when a table asks to be counted; on leaving
    without an error, the rows still open are written (in a transaction of their own)."""
    insert = next((i for i in inserts if i.counts is not None), None)
    if insert is None or insert.counts is None:
        yield None
        return
    counter = EventCounter(tuple(insert.count_levels), tuple(insert.keys))
    yield counter
    db.execute("BEGIN")
    counter.flush(db, insert.counts, final=True)
    db.execute("COMMIT")


def prepare(db: Connection) -> None:
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    db.execute("PRAGMA synchronous=OFF")


def _read_frame(stream: IO[bytes]) -> bytes | None:
    """One length-prefixed frame of `stream`; None at its end."""
    header = stream.read(8)
    if len(header) < 8:
        return None
    return stream.read(int.from_bytes(header, "big"))


def _frames(stream: IO[bytes]) -> Iterator[bytes]:
    """The frames of `stream` up to an empty one (or its end)."""
    while frame := _read_frame(stream):
        yield frame


def _read_ahead(frames: Iterator[bytes], depth: int = 1) -> Iterator[bytes]:
    """`frames`, read by a thread of their own up to `depth` frames ahead: while a batch is
    stored, the next leaves the pipe, so the parent can make the one after instead of
    waiting on its send. (A pipe holds 64 KiB, 1 MiB at most without privileges; a batch is
    ~6 MB.) An error reading them is raised here, after the frames before it."""
    ahead: Queue[bytes | None] = Queue(maxsize=depth)
    failed: list[BaseException] = []

    def read() -> None:
        try:
            for frame in frames:
                ahead.put(frame)
        except BaseException as exc:
            failed.append(exc)
        finally:
            ahead.put(None)

    threading.Thread(target=read, name="frames", daemon=True).start()
    while (frame := ahead.get()) is not None:
        yield frame
    if failed:
        raise failed[0]


@contextmanager
def _syncing(path: str) -> Iterator[Callable[[], None]]:
    """`kick()` after each commit: a thread then writes the database file's new pages out to
    the disk (`fdatasync`) while the next batch is stored. This writer runs with
    synchronous=OFF, so without it the whole shop's pages were still to write when the last
    connection closed (a checkpoint that syncs: the server's synchronous=NORMAL), ~0.5 s a
    1M-event shop after the run."""
    fd = os.open(path, os.O_RDONLY)
    due, stop = threading.Event(), threading.Event()

    def sync() -> None:
        while not stop.is_set():
            due.wait()
            due.clear()
            with contextlib.suppress(OSError):  # only ever earlier than the OS would
                os.fdatasync(fd)

    thread = threading.Thread(target=sync, name="sync", daemon=True)
    thread.start()
    try:
        yield due.set
    finally:
        stop.set()
        due.set()
        thread.join()
        os.close(fd)


def _frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(8, "big") + payload


def main() -> None:
    """The child: `python -m app.sqlite_bulk DATABASE`; frames on stdin (the statements,
    then the batches, then an empty one); on stdout an empty frame once all are committed,
    or the error's text and exit status 1."""
    # A batch is ~20,000 lists, none in a cycle: the cyclic collector would only rescan them
    # (it tripled the time to parse one).
    gc.disable()
    # The reading thread (`_read_ahead`) needs the GIL after each read of the pipe: asked for
    # every 1 ms instead of 5, a batch's ~7 reads take ~13 ms instead of ~40 while this thread
    # runs Python code (docs/decisions.md).
    sys.setswitchinterval(0.001)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    try:
        frames = _frames(stdin)
        inserts = {i["table"]: Insert(**i) for i in orjson.loads(next(frames))}
        db = apsw.Connection(sys.argv[1])
        try:
            prepare(db)
            ids = numbering(inserts.values())
            with counting(db, inserts.values()) as counter, _syncing(sys.argv[1]) as kick:
                for payload in _read_ahead(frames):
                    store_batch(db, inserts, payload, counter, ids)
                    kick()
        finally:
            db.close()
    except BaseException:
        stdout.write(_frame(traceback.format_exc().encode()))
        stdout.flush()
        sys.exit(1)
    stdout.write(_frame(b""))
    stdout.flush()


class ChildWriter:
    """The parent's end: `send(payload)` each batch (it waits while the child is a batch
    behind), then `finish()`, which raises the child's error, if any. A plain subprocess (not
    multiprocessing): nothing of the parent is inherited or imported again."""

    def __init__(self, database: str, inserts: Iterable[Insert]) -> None:
        root = str(Path(__file__).resolve().parent.parent)  # where `app` is importable from
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "app.sqlite_bulk", database],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self._done = False
        assert self._process.stdin is not None
        with contextlib.suppress(OSError):  # the system's limit is lower: keep its default
            fcntl.fcntl(self._process.stdin.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        self.send(orjson.dumps([asdict(insert) for insert in inserts]))

    def send(self, payload: bytes) -> None:
        if not payload:
            raise ValueError("an empty batch")
        if self._process.poll() is not None:  # the child stopped early: say why
            self._raise()
        try:
            assert self._process.stdin is not None
            self._process.stdin.write(_frame(payload))
        except OSError:
            self._raise()

    def finish(self) -> None:
        if self._done:
            return
        self._done = True
        assert self._process.stdin is not None and self._process.stdout is not None
        with contextlib.suppress(OSError):  # it stopped already: its answer says why
            self._process.stdin.write(_frame(b""))
            self._process.stdin.close()
        answer = self._answer()
        if self._process.wait() != 0 or answer:
            raise _failure(answer)

    def abort(self) -> None:
        if not self._done:
            self._done = True
            self._process.kill()
            self._process.wait()

    def _answer(self) -> bytes:
        assert self._process.stdout is not None
        answer = _read_frame(self._process.stdout)
        if answer is None:
            return f"the writer process exited ({self._process.wait()})".encode()
        return answer

    def _raise(self) -> None:
        answer = self._answer()
        self.abort()
        raise _failure(answer)


def _failure(answer: bytes) -> RuntimeError:
    return RuntimeError(f"generate's writer failed:\n{answer.decode(errors='replace')}")


if __name__ == "__main__":
    main()
