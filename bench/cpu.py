"""CPU seconds that processes on this machine have used, read from /proc (Linux).

A benchmark row reads them before and after: the difference, divided by the work done, is the
CPU each unit of work cost in that process group. That figure moves less than a rate does on a
shared machine, and it says where the time went (the web server, or the database).
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:  # the process ended, or this is not Linux
        return None
    # Fields after the command name, which is in parentheses and may hold spaces.
    return text.rsplit(")", 1)[1].split()


def process_seconds(pid: int) -> float | None:
    """User + system CPU of one process (its threads included); None if unreadable."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(pid: int) -> list[int]:
    """Direct child processes of `pid`."""
    found = []
    for entry in PROC.glob("[0-9]*"):
        fields = _stat_fields(int(entry.name))
        if fields is not None and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def parent(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return None if fields is None else int(fields[1])


def command_line(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def resident_mb(pids: list[int]) -> float:
    """Resident memory of these processes together, in MB (one that ended counts nothing)."""
    total = 0
    for pid in pids:
        try:
            total += int((PROC / str(pid) / "statm").read_text().split()[1])
        except OSError:
            continue
    return total * PAGE / 1e6


def seconds_by_process(pids: list[int]) -> dict[int, float]:
    """CPU of each of these processes that can still be read."""
    found = {pid: process_seconds(pid) for pid in pids}
    return {pid: seconds for pid, seconds in found.items() if seconds is not None}


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two readings, counting a process that started in between from zero."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
