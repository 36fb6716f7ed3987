"""A lean HTTP/1.1 client over one keep-alive socket, for bench/serve.py's simulated annotators.

The load generator shares the machine's cores with the server it measures, so its own CPU is
CPU the server cannot use. `http.client` parses every response's headers with the email package,
which costs the generator several times what this client spends per request (bench/README.md has
the figures). This client sends prepared bytes and reads only the status,
the body's length (Content-Length or chunked) and whether the server closes the connection.
"""

from __future__ import annotations

import socket

_END = b"\r\n\r\n"


class HTTPError(Exception):
    """A response this client cannot read (the message says what was wrong)."""


class Connection:
    def __init__(self, host: str, port: int, timeout: float = 60.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.sock: socket.socket | None = None
        self.buffer = b""

    def request(
        self, method: str, path: str, headers: bytes = b"", body: bytes = b""
    ) -> tuple[int, bytes]:
        """Send one request (`headers`: complete `Name: value\\r\\n` lines) and return the
        response's status and body."""
        if self.sock is None:
            self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buffer = b""
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        length = f"Content-Length: {len(body)}\r\n" if body or method == "POST" else ""
        self.sock.sendall(head.encode() + headers + length.encode() + b"\r\n" + body)
        return self._response()

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _response(self) -> tuple[int, bytes]:
        head = self._until(_END)
        status_line, _, header_text = head.partition(b"\r\n")
        parts = status_line.split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise HTTPError(f"not an HTTP/1.x status line: {status_line[:80]!r}")
        headers = _headers(header_text)
        if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            body = self._chunked()
        elif b"content-length" in headers:
            body = self._exactly(int(headers[b"content-length"]))
        else:
            raise HTTPError("response has neither Content-Length nor chunked encoding")
        if headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return int(parts[1]), body

    def _recv(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            self.close()
            raise HTTPError("the server closed the connection mid-response")
        self.buffer += data

    def _until(self, marker: bytes) -> bytes:
        while (end := self.buffer.find(marker)) < 0:
            self._recv()
        found, self.buffer = self.buffer[:end], self.buffer[end + len(marker) :]
        return found

    def _exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._recv()
        found, self.buffer = self.buffer[:size], self.buffer[size:]
        return found

    def _chunked(self) -> bytes:
        chunks = []
        while size := int(self._until(b"\r\n").split(b";", 1)[0], 16):
            chunks.append(self._exactly(size))
            self._until(b"\r\n")
        while self._until(b"\r\n"):  # trailer fields, if any, up to the blank line
            pass
        return b"".join(chunks)


def _headers(text: bytes) -> dict[bytes, bytes]:
    """The response's header fields, names lowercased (a repeated name keeps its last value)."""
    fields = {}
    for line in text.split(b"\r\n") if text else ():
        name, sep, value = line.partition(b":")
        if not sep:
            raise HTTPError(f"malformed header line: {line[:80]!r}")
        fields[name.strip().lower()] = value.strip()
    return fields
