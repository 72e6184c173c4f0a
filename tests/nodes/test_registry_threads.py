"""The registry of a fresh process, asked by many threads at once, answers each of them whole."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import threading
from nodes.kit import registry

found, failed = [], []

def ask():
    try:
        found.append(registry.get("core.webhook", 1).key)
    except Exception as error:
        failed.append(repr(error))

threads = [threading.Thread(target=ask) for _ in range(16)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(len(found), failed)
"""


def test_threads_asking_a_fresh_registry_at_once_all_find_the_core_nodes():
    for _ in range(5):  # a race: a fresh interpreter each time
        answer = subprocess.run(
            [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
        ).stdout.split()
        assert answer == ["16", "[]"]
