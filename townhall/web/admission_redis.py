"""The admission book in Redis, shared by every worker: the rules of domain/admission.py in one
Lua script, so checking and counting are one atomic step and one round trip.

Buckets are strings "last held1 held2 ..." that expire when they would be full again;
supporters of a question are a set that expires with its window; admitted identities and venue
grants are keys with a time to live. Redis's own clock (TIME) is the clock, so workers agree.
Only keyed hashes of networks and random participant ids are stored.
"""

from __future__ import annotations

from typing import Any

from townhall.domain.admission import (
    ADMITTED_SECONDS,
    AdmissionLimits,
    Attempt,
    Refusal,
    refusal,
    venue_scope,
)
from townhall.domain.rates import Rate

PREFIX = "townhall:adm:"

# KEYS: 1 admitted marker, 2 venue grant, 3-5 new/ask/supporters for the network,
#       6-8 the same for the network at this event's venue
# ARGV: participant, established, kind, admitted ttl, supporters cap, supporters window,
#       venue factor, n identity rates, (count, seconds)..., n question rates, (count, seconds)...
SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local pid, established, kind = ARGV[1], ARGV[2] == '1', ARGV[3]
local admit_ttl, cap, window = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local factor = tonumber(ARGV[7])
local i = 8
local function rates()
  local n = tonumber(ARGV[i]); i = i + 1
  local out = {}
  for r = 1, n do out[r] = {tonumber(ARGV[i]), tonumber(ARGV[i + 1])}; i = i + 2 end
  return out
end
local id_rates, q_rates = rates(), rates()
local new_key, ask_key, sup_key = KEYS[3], KEYS[4], KEYS[5]
local scale = 1
if redis.call('EXISTS', KEYS[2]) == 1 then
  new_key, ask_key, sup_key = KEYS[6], KEYS[7], KEYS[8]
  scale = factor
end
local function refill(key, rs)
  local parts = {}
  local raw = redis.call('GET', key)
  if raw then for p in string.gmatch(raw, '%S+') do parts[#parts + 1] = tonumber(p) end end
  local held, wait = {}, 0
  for r = 1, #rs do
    local count, seconds = rs[r][1] * scale, rs[r][2]
    local h = count
    if parts[r + 1] ~= nil then h = math.min(count, parts[r + 1] + (now - parts[1]) * count / seconds) end
    held[r] = h
    if h < 1 then wait = math.max(wait, (1 - h) * seconds / count) end
  end
  return held, wait
end
local function take(key, rs, held)
  local out, longest = {string.format('%.6f', now)}, 0
  for r = 1, #rs do
    out[#out + 1] = string.format('%.6f', held[r] - 1)
    longest = math.max(longest, rs[r][2])
  end
  redis.call('SET', key, table.concat(out, ' '), 'PX', math.ceil(longest * 1000))
end
local admitted = established or redis.call('EXISTS', KEYS[1]) == 1
if kind == 'vote' and redis.call('SISMEMBER', sup_key, pid) == 0
    and redis.call('SCARD', sup_key) >= cap * scale then
  return {'network_vote_limit', redis.call('PTTL', sup_key)}
end
local q_held, id_held
if kind == 'ask' then
  local wait
  q_held, wait = refill(ask_key, q_rates)
  if wait > 0 then return {'network_question_limit', math.ceil(wait * 1000)} end
end
if not admitted then
  local wait
  id_held, wait = refill(new_key, id_rates)
  if wait > 0 then return {'new_identity_limit', math.ceil(wait * 1000)} end
end
if q_held then take(ask_key, q_rates, q_held) end
if id_held then
  take(new_key, id_rates, id_held)
  redis.call('SET', KEYS[1], '1', 'EX', admit_ttl)
end
if kind == 'vote' and redis.call('SADD', sup_key, pid) == 1
    and redis.call('PTTL', sup_key) < 0 then
  redis.call('PEXPIRE', sup_key, math.ceil(window * 1000))
end
return {'', 0}
"""


def _rate_args(rates: tuple[Rate, ...]) -> list[str]:
    args = [str(len(rates))]
    for rate in rates:
        args += [str(rate.count), repr(rate.seconds)]
    return args


class RedisAdmissionBook:
    def __init__(self, client: Any, limits: AdmissionLimits) -> None:
        self._redis = client
        self._limits = limits
        self._script = client.register_script(SCRIPT)
        self._static = [
            str(int(ADMITTED_SECONDS)),
            str(limits.supporters.count),
            repr(limits.supporters.seconds),
            str(limits.venue_factor),
            *_rate_args(limits.new_identities),
            *_rate_args(limits.questions),
        ]

    async def check(self, attempt: Attempt) -> Refusal | None:
        network, venue = attempt.network, venue_scope(attempt.network, attempt.event)
        question = attempt.question_id if attempt.question_id is not None else 0
        keys = [
            f"{PREFIX}id:{attempt.participant}",
            f"{PREFIX}venue:{venue}",
            f"{PREFIX}new:{network}",
            f"{PREFIX}ask:{network}",
            f"{PREFIX}sup:{network}:{question}",
            f"{PREFIX}new:{venue}",
            f"{PREFIX}ask:{venue}",
            f"{PREFIX}sup:{venue}:{question}",
        ]
        args = [attempt.participant, "1" if attempt.established else "0", attempt.kind]
        code, millis = await self._script(keys=keys, args=args + self._static)
        code = code.decode() if isinstance(code, bytes) else str(code)
        if not code:
            return None
        return refusal(code, max(int(millis), 1) / 1000)

    async def grant_venue(self, network: str, event: str, seconds: float) -> None:
        await self._redis.set(
            f"{PREFIX}venue:{venue_scope(network, event)}", "1", ex=max(1, int(seconds))
        )

    async def close(self) -> None:
        await self._redis.aclose()
