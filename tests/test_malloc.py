"""geodata.malloc: glibc's thresholds are raised once per process, and the geoparser asks for it."""
import ctypes
import platform

import pytest

from geodata import malloc


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_thresholds_accepted_once(monkeypatch):
    monkeypatch.setattr(malloc, "_done", False)
    assert malloc.keep_freed_memory() is True
    monkeypatch.setattr(ctypes, "CDLL", lambda *a, **k: pytest.fail("set twice"))
    assert malloc.keep_freed_memory() is True


def test_no_glibc_is_a_no_op(monkeypatch):
    monkeypatch.setattr(malloc, "_done", False)

    def missing(*a, **k):
        raise OSError("no libc")

    monkeypatch.setattr(ctypes, "CDLL", missing)
    assert malloc.keep_freed_memory() is False


def test_geoparser_keeps_freed_memory():
    import inspect

    from geodata import geoparser

    assert "keep_freed_memory()" in inspect.getsource(geoparser.Geoparser.__init__)
