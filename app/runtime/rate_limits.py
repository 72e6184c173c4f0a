"""Turns of a provider's rate limit shared by every worker and web process, through Redis.

Each account's next free moment is one Redis key; a script reads the server's clock, takes the
later of now and that moment as this request's turn and moves the key one interval on, so
two workers never get the same turn. Should Redis not answer, the turn is taken within the
process (``nodes.kit.rate_limits.ProcessTurns``): a step is never failed for it.
"""

from __future__ import annotations

import logging

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError

import nodes.kit.rate_limits
from app.runtime.queue import redis_connection

log = logging.getLogger("shopwire.rate_limits")

TAKE_TURN = """
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local turn = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], turn + interval, 'PX', turn - now + interval + 1000)
return turn - now
"""


class RedisTurns:
    def __init__(self, redis: Redis) -> None:
        self._take = redis.register_script(TAKE_TURN)
        self._fallback = nodes.kit.rate_limits.ProcessTurns()

    def take(self, account: str, interval: float) -> float:
        try:
            wait_ms = self._take(keys=[f"shopwire:turns:{account}"], args=[int(interval * 1000)])
        except RedisError as error:
            log.warning("rate-limit turns taken in this process: Redis failed (%s)", error)
            return self._fallback.take(account, interval)
        return int(wait_ms) / 1000


def init_app(app: Flask) -> None:
    with app.app_context():
        nodes.kit.rate_limits.install(RedisTurns(redis_connection()))
