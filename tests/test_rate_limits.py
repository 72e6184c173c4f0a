"""A provider's rate limit shared by every process through Redis, and kept without it."""

from redis import Redis

from app.runtime.queue import redis_connection
from app.runtime.rate_limits import RedisTurns
from nodes.kit import rate_limits


def test_two_processes_never_get_the_same_turn(app):
    mine, theirs = RedisTurns(redis_connection()), RedisTurns(redis_connection())

    waits = [mine.take("lexoffice:abc", 0.5), theirs.take("lexoffice:abc", 0.5)]
    waits.append(mine.take("lexoffice:abc", 0.5))

    assert waits[0] == 0
    assert 0.45 <= waits[1] <= 0.5 and 0.95 <= waits[2] <= 1.0
    assert mine.take("lexoffice:another-account", 0.5) == 0
    assert isinstance(rate_limits._turns, RedisTurns)  # the app hands out the shared turns


def test_without_redis_the_turns_are_kept_in_the_process():
    unreachable = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.2)
    turns = RedisTurns(unreachable)
    assert turns.take("lexoffice:abc", 0.5) == 0
    assert 0.45 <= turns.take("lexoffice:abc", 0.5) <= 0.5
