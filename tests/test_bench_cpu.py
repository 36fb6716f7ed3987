"""The benchmark's CPU meter (bench/cpu.py) reads real processes from /proc."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from bench import cpu

pytestmark = pytest.mark.skipif(
    not cpu.PROC.joinpath("self", "stat").exists(), reason="needs Linux's /proc"
)


def _busy(seconds: float) -> None:
    until = time.process_time() + seconds
    while time.process_time() < until:
        pass


def test_a_process_s_cpu_grows_by_the_work_it_does():
    before = cpu.process_seconds(os.getpid())
    _busy(0.3)
    after = cpu.process_seconds(os.getpid())
    assert after - before >= 0.2


def test_children_lists_a_child_and_spent_counts_a_new_process_from_zero():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in cpu.children(os.getpid())
        assert cpu.parent(child.pid) == os.getpid()
        assert "time.sleep(30)" in cpu.command_line(child.pid)
        after = cpu.seconds_by_process([os.getpid(), child.pid])
        assert cpu.spent({os.getpid(): after[os.getpid()]}, after) == after[child.pid]
    finally:
        child.kill()
        child.wait()


def test_a_process_that_is_gone_is_left_out_not_counted_as_zero():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert cpu.process_seconds(child.pid) is None
    assert child.pid not in cpu.seconds_by_process([child.pid])


def _resident_child(megabytes: int) -> float:
    """A fresh interpreter holding `megabytes` it has written, measured while it waits."""
    code = f"b = b'x' * ({megabytes} * 1_000_000); import sys; print(flush=True); sys.stdin.read()"
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        child.stdout.readline()
        return cpu.resident_mb([child.pid])
    finally:
        child.kill()
        child.wait()


def test_resident_memory_grows_with_what_a_process_writes_and_a_gone_one_counts_nothing():
    # Fresh processes, not this one: a long test run's own heap grows and shrinks under us.
    assert _resident_child(50) - _resident_child(0) >= 40
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert cpu.resident_mb([child.pid]) == 0
