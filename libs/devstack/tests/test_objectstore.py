"""The dev broker's object store: the S3 operations tansu relies on, on local files."""

from __future__ import annotations

import http.server
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mentorship_devstack.objectstore import FileStore, _Handler


@pytest.fixture
def s3(tmp_path: Path) -> Iterator[httpx.Client]:
    handler = type("Handler", (_Handler,), {"store": FileStore(tmp_path)})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{server.server_address[1]}") as client:
            yield client
    finally:
        server.shutdown()
        server.server_close()


def test_objects_are_written_read_and_deleted(s3: httpx.Client, tmp_path: Path) -> None:
    written = s3.put("/bucket/a/b/c.json", content=b'{"x": 1}')
    assert written.status_code == 200
    read = s3.get("/bucket/a/b/c.json")
    assert read.content == b'{"x": 1}'
    assert read.headers["etag"] == written.headers["etag"]
    assert s3.get("/bucket/a/b/c.json", headers={"range": "bytes=1-3"}).content == b'"x"'
    assert s3.delete("/bucket/a/b/c.json").status_code == 204
    assert s3.get("/bucket/a/b/c.json").status_code == 404


def test_conditional_writes_are_compare_and_swap(s3: httpx.Client) -> None:
    created = s3.put("/b/watermark", content=b"1", headers={"if-none-match": "*"})
    assert created.status_code == 200
    again = s3.put("/b/watermark", content=b"2", headers={"if-none-match": "*"})
    assert again.status_code == 412
    etag = created.headers["etag"]
    swapped = s3.put("/b/watermark", content=b"3", headers={"if-match": etag})
    assert swapped.status_code == 200
    stale = s3.put("/b/watermark", content=b"4", headers={"if-match": etag})
    assert stale.status_code == 412
    assert s3.get("/b/watermark").content == b"3"
    assert s3.put("/b/missing", content=b"x", headers={"if-match": etag}).status_code == 412


def test_listing_by_prefix_with_a_delimiter_and_pages(s3: httpx.Client) -> None:
    for key in ("t/p0/r/1", "t/p0/r/2", "t/p1/r/1", "t/meta.json", "u/other"):
        s3.put(f"/b/{key}", content=key.encode())
    flat = s3.get("/b", params={"list-type": "2", "prefix": "t/p0/"}).text
    assert flat.count("<Key>") == 2
    assert "<Key>t/p0/r/1</Key>" in flat
    grouped = s3.get("/b", params={"list-type": "2", "prefix": "t/", "delimiter": "/"}).text
    assert "<Key>t/meta.json</Key>" in grouped
    assert "<Prefix>t/p0/</Prefix>" in grouped
    assert "<Prefix>t/p1/</Prefix>" in grouped
    page = s3.get("/b", params={"list-type": "2", "prefix": "t/", "max-keys": "2"}).text
    assert "<IsTruncated>true</IsTruncated>" in page
    token = page.split("<NextContinuationToken>")[1].split("</NextContinuationToken>")[0]
    rest = s3.get("/b", params={"list-type": "2", "prefix": "t/", "continuation-token": token}).text
    assert rest.count("<Key>") == 2


def test_a_key_and_the_keys_under_it_do_not_collide(s3: httpx.Client) -> None:
    s3.put("/b/a", content=b"file")
    s3.put("/b/a/b", content=b"nested")
    assert s3.get("/b/a").content == b"file"
    assert s3.get("/b/a/b").content == b"nested"


def test_an_etag_names_one_version_even_when_the_file_clock_has_not_moved(tmp_path: Path) -> None:
    """Before Linux 6.13, file times move in clock ticks (1 to 4 ms) and a write here takes
    under one, and a replaced file's inode is handed to the next new file at once. An ETag
    made of inode, mtime and size then names two versions of a watermark, and tansu's
    compare-and-swap against the older one succeeds: a lost update."""
    store = FileStore(tmp_path)
    tick = time.time_ns()
    etags = []
    for version in range(20):
        stored = store.put("b", "watermark", b"%04d" % version, if_match=None, if_none_match=None)
        assert stored is not None
        os.utime(stored.path, ns=(tick, tick))  # the clock did not move between the writes
        current = store.head("b", "watermark")
        assert current is not None
        etags.append(current.etag)

    assert len(set(etags)) == len(etags)
    stale = store.put("b", "watermark", b"late", if_match=etags[0], if_none_match=None)
    assert stale is None
    current = store.head("b", "watermark")
    assert current is not None
    assert store.read(current) == b"0019"
