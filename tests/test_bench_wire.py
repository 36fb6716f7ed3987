"""bench/wire.py, the load generator's HTTP client, against a real socket server."""

from __future__ import annotations

import socket
import threading

import pytest

from bench import wire


class ScriptedServer:
    """Answers each request it reads with the next of `answers` (raw bytes); counts the
    connections it accepted and keeps the requests it read."""

    def __init__(self, answers: list[bytes]) -> None:
        self.answers = list(answers)
        self.requests: list[bytes] = []
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while self.answers:
            conn, _ = self.listener.accept()
            self.connections += 1
            with conn:
                self._talk(conn)

    def _talk(self, conn: socket.socket) -> None:
        buffer = b""
        while self.answers:
            while b"\r\n\r\n" not in buffer:
                data = conn.recv(65536)
                if not data:
                    return
                buffer += data
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            while len(buffer) < length:
                buffer += conn.recv(65536)
            self.requests.append(head + b"\r\n\r\n" + buffer[:length])
            buffer = buffer[length:]
            answer = self.answers.pop(0)
            conn.sendall(answer)
            if b"Connection: close" in answer:
                return


def sized(body: bytes, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


def test_it_keeps_one_connection_and_reads_each_body_by_its_length():
    server = ScriptedServer([sized(b"first"), b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n"])
    conn = wire.Connection("127.0.0.1", server.port)
    assert conn.request("GET", "/a/", b"X-One: 1\r\n") == (200, b"first")
    assert conn.request("POST", "/b/", b"", b"choice=left") == (302, b"")
    assert server.connections == 1
    get, post = server.requests
    assert get.startswith(b"GET /a/ HTTP/1.1\r\n")
    assert b"\r\nX-One: 1\r\n" in get
    assert post.startswith(b"POST /b/ HTTP/1.1\r\n")
    assert post.endswith(b"\r\n\r\nchoice=left")
    assert b"Content-Length: 11\r\n" in post


def test_it_reads_chunked_bodies_with_trailers():
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"
    )
    server = ScriptedServer([chunked, sized(b"after")])
    conn = wire.Connection("127.0.0.1", server.port)
    assert conn.request("GET", "/") == (200, b"hello, world")
    assert conn.request("GET", "/") == (200, b"after")  # nothing of the first was left over


def test_a_closing_server_gets_a_new_connection():
    server = ScriptedServer([sized(b"bye", b"Connection: close\r\n"), sized(b"again")])
    conn = wire.Connection("127.0.0.1", server.port)
    assert conn.request("GET", "/") == (200, b"bye")
    assert conn.request("GET", "/") == (200, b"again")
    assert server.connections == 2


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b"SMTP ready\r\n\r\n", "not an HTTP/1.x status line"),
        (b"HTTP/1.1 200 OK\r\nX: y\r\n\r\nbody", "neither Content-Length nor chunked"),
        (b"HTTP/1.1 200 OK\r\nbroken header\r\n\r\n", "malformed header line"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nshort", "closed"),
    ],
)
def test_what_it_cannot_read_is_an_error_that_says_why(answer, message):
    server = ScriptedServer([answer])
    conn = wire.Connection("127.0.0.1", server.port, timeout=5)
    with pytest.raises(wire.HTTPError, match=message):
        conn.request("GET", "/")
