"""Argon2id: stored hashes verify, weaker ones are upgraded, and bursts wait their turn."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from flask import current_app

from content.auth import passwords


class _Watched(PasswordHasher):
    """The real hasher, slowed a little and counting how many hash at the same time."""

    def __init__(self, real: PasswordHasher) -> None:
        super().__init__(
            time_cost=real.time_cost,
            memory_cost=real.memory_cost,
            parallelism=real.parallelism,
        )
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0

    def verify(self, hash, password):
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(0.02)  # long enough for the other threads to arrive
            return super().verify(hash, password)
        finally:
            with self.lock:
                self.now -= 1


def _burst(app, stored: str, threads: int) -> list[bool]:
    def sign_in(password: str) -> bool:
        with app.app_context():
            return passwords.verify_password(stored, password)

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(sign_in, ["right password"] * (threads - 1) + ["wrong"]))


def test_a_burst_of_sign_ins_hashes_one_at_a_time_per_process(app, monkeypatch):
    stored = passwords.hash_password("right password")
    watched = _Watched(current_app.extensions["tracing.hasher"])
    monkeypatch.setitem(app.extensions, "tracing.hasher", watched)

    assert _burst(app, stored, threads=6) == [True] * 5 + [False]
    assert watched.most == app.config["PASSWORD_HASHES_AT_ONCE"] == 1


def test_more_slots_let_hashes_run_side_by_side(app, monkeypatch):
    stored = passwords.hash_password("right password")
    watched = _Watched(current_app.extensions["tracing.hasher"])
    monkeypatch.setitem(app.extensions, "tracing.hasher", watched)
    monkeypatch.setitem(app.extensions, "tracing.hash_slots", threading.BoundedSemaphore(3))

    assert _burst(app, stored, threads=6) == [True] * 5 + [False]
    assert 1 < watched.most <= 3
