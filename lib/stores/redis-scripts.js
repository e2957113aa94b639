'use strict';
// The Lua scripts behind RedisStore. Every store operation is one script, so it
// is one round trip and atomic: Redis runs a script with nothing interleaved.
//
// Key layout (P = the store's prefix):
//   P e:<id>        hash  the event record (id, type, created, objectId, status, attempts,
//                         lastError, receivedAt, updatedAt, token, leaseUntil); TTL retentionMs
//                         (while processing: leaseMs + retentionMs, so retention never
//                         deletes a record whose lease is held, as in every other store)
//   P a:<objectId>  hash  { created, rank, eventId } newest applied per object; TTL retentionMs
//   P o:<objectId>  hash  { eventId, until } the object's ordering slot (atomic ordering:
//                         docs/stores.md), held by that event's lease; TTL leaseMs
//   (an ordered claim also keeps orderObjectId, orderCreated, orderRank in its record, which
//   its completion marks)
//   P i:all         zset  every record, all scores 0, member = sort key (below)
//   P i:s:<status>  zset  the records in that status, same members — only for 'failed' and
//                         'dead_lettered', the rare statuses worth finding without a scan
//   P i:t:<type>    zset  the records of that type, same members
//   P b:<customerId> hash { record, userId ('' when none), version, updatedAt }: billing state
//                         (the billing-state capability); no TTL, never purged
//   P bu:<userId>   zset  the customers linked to the user, score = updatedAt (billingFind)
//   P i:upd         zset  member = <len:6><type><sort key>, score = a lower bound of the
//                         record's updatedAt (its receivedAt when written; corrected lazily),
//                         for purge and for cleaning index entries whose record expired
//
// Sort key = 15-digit (MAXTS - receivedAt) .. ':' .. id. Members of one zset with
// equal scores sort by bytes, so ascending order is newest receivedAt first and,
// within one millisecond, id ascending: exactly list()'s order, with `before`
// as a lexicographic range. Index entries can outlive their record (the hash
// expires by TTL); readers check the record still has that sort key and drop the
// entry when it does not, and claims trim a few expired entries each time.
//
// The hot path (claim, complete) touches as few keys as it can: a complete is
// HMGET + HSET + PEXPIRE. That is why processing/completed have no status index
// and why i:upd is not re-scored on every update: its readers (purge, the trim)
// read the record's real updatedAt and re-score entries whose score was stale.
// A spent token is overwritten with '' (never a valid token) rather than deleted.
//
// Time is the server's (TIME), so instances with skewed clocks agree on leases.

const PRELUDE = `
local P = ARGV[1]
if redis.replicate_commands then pcall(redis.replicate_commands) end
local MAXTS = 999999999999999
local INDEXED = { failed = true, dead_lettered = true }
local ALL = P .. 'i:all'
local UPD = P .. 'i:upd'
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function fmt(n) return string.format('%.0f', n) end
-- A processing record lives retention past the end of its lease (capped, so
-- PEXPIRE never overflows: 10^15 ms is some 30,000 years).
local function processingTtl(leaseMs, retention) return fmt(math.min(leaseMs + retention, 1e15)) end
local function sortKey(receivedAt, id) return string.format('%015.0f', MAXTS - receivedAt) .. ':' .. id end
local function updMember(typ, sk) return string.format('%06d', #typ) .. typ .. sk end
local function statusKey(s) return P .. 'i:s:' .. s end
local function typeKey(t) return P .. 'i:t:' .. t end
local function eventKey(id) return P .. 'e:' .. id end
local function moveStatus(sk, from, to)
  if from ~= to then
    if INDEXED[from] then redis.call('ZREM', statusKey(from), sk) end
    if INDEXED[to] then redis.call('ZADD', statusKey(to), 0, sk) end
  end
end
local function parseUpd(m)
  local tl = tonumber(string.sub(m, 1, 6))
  local typ = string.sub(m, 7, 6 + tl)
  local sk = string.sub(m, 7 + tl)
  return typ, sk, string.sub(sk, 17)
end
local function dropIndexEntries(m, typ, sk)
  redis.call('ZREM', UPD, m)
  redis.call('ZREM', ALL, sk)
  redis.call('ZREM', typeKey(typ), sk)
  for s in pairs(INDEXED) do redis.call('ZREM', statusKey(s), sk) end
end
-- true when the record behind index entry sk still exists (and is that record,
-- not a newer one with the same id received at another time).
local function liveRecord(id, sk)
  local ra = redis.call('HGET', eventKey(id), 'receivedAt')
  return ra and sortKey(tonumber(ra), id) == sk
end
`;

// A claim also looks at up to 20 index entries whose score says the record may
// be past retention: gone records lose their entries, live ones are re-scored
// (a processing one to its lease's end: retention counts from there, and it
// must not take one of the 20 places again until then; if it completes before
// its lease ends, its score is above its updatedAt until purge or the TTL
// takes it, which only delays a purge of a record processing for longer than
// retentionMs).
const CLAIM = `${PRELUDE}
local ev = KEYS[1]
local id, typ, created, objectId, hasObj = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local leaseMs, token, retention = tonumber(ARGV[7]), ARGV[8], tonumber(ARGV[9])
local now = nowMs()

local old = redis.call('ZRANGEBYSCORE', UPD, '-inf', '(' .. fmt(now - retention), 'LIMIT', 0, 20)
for _, m in ipairs(old) do
  local otyp, osk, oid = parseUpd(m)
  if liveRecord(oid, osk) then
    local h = redis.call('HMGET', eventKey(oid), 'updatedAt', 'status', 'leaseUntil')
    local updated = tonumber(h[1])
    if h[2] == 'processing' then
      redis.call('ZADD', UPD, math.max(updated, tonumber(h[3]) or updated), m)
    elseif updated < now - retention then
      redis.call('DEL', eventKey(oid))
      dropIndexEntries(m, otyp, osk)
    else
      redis.call('ZADD', UPD, updated, m)
    end
  else
    dropIndexEntries(m, otyp, osk)
  end
end

local hasOrder, oObj = ARGV[10] == '1', ARGV[11]
local oCreated, oRank = tonumber(ARGV[12]), tonumber(ARGV[13])
local cur = redis.call('HMGET', ev, 'status', 'attempts', 'leaseUntil', 'receivedAt')
local status, attempts = cur[1], tonumber(cur[2])
if status == 'completed' then return { 'duplicate', attempts } end
if status == 'dead_lettered' then return { 'dead_lettered', attempts } end
if status == 'processing' and tonumber(cur[3]) > now then return { 'in_progress', attempts } end

-- A new record (its indexes too) in status st.
local function insertRecord(st, tok, leaseUntil, ttl)
  local fields = { 'id', id, 'type', typ, 'created', created, 'status', st, 'attempts', '1',
    'receivedAt', fmt(now), 'updatedAt', fmt(now), 'token', tok, 'leaseUntil', leaseUntil }
  if hasObj == '1' then
    fields[#fields + 1] = 'objectId'
    fields[#fields + 1] = objectId
  end
  redis.call('HSET', ev, unpack(fields))
  redis.call('PEXPIRE', ev, ttl)
  local sk = sortKey(now, id)
  redis.call('ZADD', ALL, 0, sk)
  redis.call('ZADD', typeKey(typ), 0, sk)
  redis.call('ZADD', UPD, now, updMember(typ, sk))
end

-- Atomic ordering: the stale check and the object's slot, in this same script.
if hasOrder then
  local mk = P .. 'a:' .. oObj
  local m = redis.call('HMGET', mk, 'created', 'rank')
  local mc, mr = tonumber(m[1]), tonumber(m[2]) or 0
  if mc and (mc > oCreated or (mc == oCreated and mr > oRank)) then
    redis.call('PEXPIRE', mk, retention)
    if not status then
      insertRecord('completed', '', '0', fmt(retention))
      return { 'stale', 1 }
    end
    attempts = attempts + 1
    redis.call('HSET', ev, 'status', 'completed', 'attempts', tostring(attempts), 'token', '',
      'updatedAt', fmt(now))
    redis.call('HDEL', ev, 'orderObjectId', 'orderCreated', 'orderRank')
    redis.call('PEXPIRE', ev, retention)
    moveStatus(sortKey(tonumber(cur[4]), id), status, 'completed')
    return { 'stale', attempts }
  end
  local slot = P .. 'o:' .. oObj
  local held = redis.call('HMGET', slot, 'eventId', 'until')
  if held[1] and held[1] ~= id and tonumber(held[2]) > now then return { 'blocked', attempts or 0 } end
  redis.call('HSET', slot, 'eventId', id, 'until', fmt(now + leaseMs))
  redis.call('PEXPIRE', slot, fmt(math.min(leaseMs, 1e15)))
end

if not status then
  insertRecord('processing', token, fmt(now + leaseMs), processingTtl(leaseMs, retention))
  attempts = 1
else
  -- failed (or requeued), or processing with an expired lease: take it over.
  attempts = attempts + 1
  redis.call('HSET', ev, 'status', 'processing', 'attempts', tostring(attempts), 'token', token,
    'leaseUntil', fmt(now + leaseMs), 'updatedAt', fmt(now))
  redis.call('PEXPIRE', ev, processingTtl(leaseMs, retention))
  moveStatus(sortKey(tonumber(cur[4]), id), status, 'processing')
end
if hasOrder then
  redis.call('HSET', ev, 'orderObjectId', oObj, 'orderCreated', ARGV[12], 'orderRank', ARGV[13])
else
  redis.call('HDEL', ev, 'orderObjectId', 'orderCreated', 'orderRank')
end
return { 'acquired', attempts }
`;

// The token must be the record's current one: a token whose lease was taken
// over by another claim no longer matches. A holder whose lease ran out but that
// nobody replaced may still complete: its work is done and no one else ran it.
const COMPLETE = `${PRELUDE}
local ev = KEYS[1]
local id, token, retention = ARGV[2], ARGV[3], tonumber(ARGV[4])
local cur = redis.call('HMGET', ev, 'status', 'token', 'orderObjectId', 'orderCreated', 'orderRank')
if cur[1] ~= 'processing' or cur[2] ~= token then return 0 end
redis.call('HSET', ev, 'status', 'completed', 'updatedAt', fmt(nowMs()), 'token', '')
redis.call('PEXPIRE', ev, retention)
-- Atomic ordering: the completion marks the object (only forward) and frees its slot.
if cur[3] then
  local mk = P .. 'a:' .. cur[3]
  local c, r = tonumber(cur[4]), tonumber(cur[5])
  local m = redis.call('HMGET', mk, 'created', 'rank')
  local mc, mr = tonumber(m[1]), tonumber(m[2]) or 0
  if not mc or not (mc > c or (mc == c and mr > r)) then
    redis.call('HSET', mk, 'created', cur[4], 'rank', cur[5], 'eventId', id)
  end
  redis.call('PEXPIRE', mk, retention)
  local slot = P .. 'o:' .. cur[3]
  if redis.call('HGET', slot, 'eventId') == id then redis.call('DEL', slot) end
  redis.call('HDEL', ev, 'orderObjectId', 'orderCreated', 'orderRank')
end
return 1
`;

// Returns { deadLettered (0|1), attempt, stale (0|1) }.
const FAIL = `${PRELUDE}
local ev = KEYS[1]
local id, token, message, maxAttempts, retention = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local cur = redis.call('HMGET', ev, 'status', 'token', 'receivedAt', 'attempts', 'orderObjectId')
if cur[1] ~= 'processing' or cur[2] ~= token then return { 0, tonumber(cur[4]) or 0, 1 } end
if cur[5] then
  -- Atomic ordering: a failed attempt frees the object's slot.
  local slot = P .. 'o:' .. cur[5]
  if redis.call('HGET', slot, 'eventId') == id then redis.call('DEL', slot) end
  redis.call('HDEL', ev, 'orderObjectId', 'orderCreated', 'orderRank')
end
local attempts = tonumber(cur[4])
local to = 'failed'
if attempts >= maxAttempts then to = 'dead_lettered' end
redis.call('HSET', ev, 'status', to, 'lastError', message, 'updatedAt', fmt(nowMs()), 'token', '')
redis.call('PEXPIRE', ev, retention)
moveStatus(sortKey(tonumber(cur[3]), id), 'processing', to)
if to == 'dead_lettered' then return { 1, attempts, 0 } end
return { 0, attempts, 0 }
`;

// A requeued event is 'failed' with no attempts: claimable, next claim attempt 1.
const REQUEUE = `${PRELUDE}
local ev = KEYS[1]
local id, retention = ARGV[2], tonumber(ARGV[3])
local cur = redis.call('HMGET', ev, 'status', 'receivedAt')
if cur[1] ~= 'failed' and cur[1] ~= 'dead_lettered' then return 0 end
redis.call('HSET', ev, 'status', 'failed', 'attempts', '0', 'updatedAt', fmt(nowMs()))
redis.call('PEXPIRE', ev, retention)
moveStatus(sortKey(tonumber(cur[2]), id), cur[1], 'failed')
return 1
`;

const GET = `${PRELUDE}
return redis.call('HGETALL', KEYS[1])
`;

// Walks one index (failed/dead_lettered's, else the type's, else all) from the cursor,
// returning up to limit records (each as HGETALL's flat array) and dropping
// entries whose record is gone. It looks at no more than ARGV[7] entries per
// call, so a filter that matches little never blocks Redis for long; it then
// returns where it stopped (ARGV[6] resumes there; '' = the end was reached).
// Returns { records, resumeAfter }.
const LIST = `${PRELUDE}
local status, typ, before, limit, resume, budget = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])
local idx = ALL
if INDEXED[status] then idx = statusKey(status) elseif typ ~= '' then idx = typeKey(typ) end
local start = '-'
if resume ~= '' then
  start = '(' .. resume
elseif before ~= '' then
  start = '[' .. string.format('%015.0f', MAXTS - tonumber(before)) .. ';'
end
local out, n, scanned, last = {}, 0, 0, ''
while n < limit and scanned < budget do
  local batch = redis.call('ZRANGEBYLEX', idx, start, '+', 'LIMIT', 0, 100)
  for _, sk in ipairs(batch) do
    scanned = scanned + 1
    last = sk
    local id = string.sub(sk, 17)
    local h = redis.call('HGETALL', eventKey(id))
    local live = false
    if #h > 0 then
      local rec = {}
      for i = 1, #h, 2 do rec[h[i]] = h[i + 1] end
      if sortKey(tonumber(rec.receivedAt), id) == sk then
        live = true
        if (status == '' or rec.status == status) and (typ == '' or rec.type == typ) then
          n = n + 1
          out[n] = h
        end
      end
    end
    if not live then redis.call('ZREM', idx, sk) end
    if n >= limit or scanned >= budget then break end
  end
  if #batch < 100 then
    if n < limit and scanned < budget then last = '' end
    break
  end
  start = '(' .. batch[#batch]
end
if n >= limit then last = '' end
return { out, last }
`;

// One batch of purge: looks at up to ARGV[4] entries whose score is below the
// cutoff, starting after the ARGV[3] 'processing' ones earlier batches kept.
// An entry whose record changed since (score stale) is re-scored, leaving the range.
// Returns { deleted, keptProcessing, scanned }.
const PURGE = `${PRELUDE}
local olderThan, skip, batch = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local cutoff = nowMs() - olderThan
local members = redis.call('ZRANGEBYSCORE', UPD, '-inf', '(' .. fmt(cutoff), 'LIMIT', skip, batch)
local deleted, kept = 0, 0
for _, m in ipairs(members) do
  local typ, sk, id = parseUpd(m)
  if liveRecord(id, sk) then
    local h = redis.call('HMGET', eventKey(id), 'status', 'updatedAt')
    local updated = tonumber(h[2])
    if updated >= cutoff then
      redis.call('ZADD', UPD, updated, m)
    elseif h[1] == 'processing' then
      kept = kept + 1
    else
      redis.call('DEL', eventKey(id))
      dropIndexEntries(m, typ, sk)
      deleted = deleted + 1
    end
  else
    dropIndexEntries(m, typ, sk)
  end
end
return { deleted, kept, #members }
`;

const LAST_APPLIED = `${PRELUDE}
return redis.call('HGET', KEYS[1], 'created')
`;

// Keeps the newest created; an older event never moves the marker back, but
// every mark renews the marker's TTL (the object is still receiving events).
const MARK_APPLIED = `${PRELUDE}
local created, eventId, retention = ARGV[2], ARGV[3], tonumber(ARGV[4])
local cur = redis.call('HGET', KEYS[1], 'created')
if (not cur) or tonumber(created) > tonumber(cur) then
  redis.call('HSET', KEYS[1], 'created', created, 'rank', '0', 'eventId', eventId)
end
redis.call('PEXPIRE', KEYS[1], retention)
return 1
`;

// Pending payloads (ack-first delivery): P p:<id> beside the record, written only while
// the record is processing or failed, deleted only once it completed.
// KEYS[1] = the record, KEYS[2] = the payload key; ARGV[2] = base64 body, ARGV[3] = TTL ms.
const SAVE_PAYLOAD = `
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'processing' and status ~= 'failed' then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3], 'NX')
return 1
`;

const DELETE_PAYLOAD = `
if redis.call('HGET', KEYS[1], 'status') ~= 'completed' then return 0 end
return redis.call('DEL', KEYS[2])
`;

// Billing state (lib/stores/billing-args.js). Reads: the document's fields, or nil.
const BILLING_GET = `
return redis.call('HMGET', KEYS[1], 'record', 'userId', 'version', 'updatedAt')
`;

// The user's newest document: the highest score, and among equal scores the
// smallest customer id (ZRANGEBYSCORE orders equal scores by member bytes).
const BILLING_FIND = `
local P = ARGV[1]
local top = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
local customerId = redis.call('ZRANGEBYSCORE', KEYS[1], top[2], top[2], 'LIMIT', 0, 1)[1]
local doc = redis.call('HMGET', P .. 'b:' .. customerId, 'record', 'userId', 'version', 'updatedAt')
return { customerId, doc[1], doc[2], doc[3], doc[4] }
`;

// Compare-and-set on version: nil when the stored version (0 when absent) is
// not the expected one; else the document and the user index move together.
const BILLING_PUT = `
local P, customerId, userId, record, updatedAt, expected = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local cur = redis.call('HGET', KEYS[1], 'version')
local version = cur and tonumber(cur) or 0
if version ~= expected then return false end
local old = redis.call('HGET', KEYS[1], 'userId')
if old and old ~= '' and old ~= userId then redis.call('ZREM', P .. 'bu:' .. old, customerId) end
if userId ~= '' then redis.call('ZADD', P .. 'bu:' .. userId, updatedAt, customerId) end
redis.call('HSET', KEYS[1], 'record', record, 'userId', userId, 'version', version + 1, 'updatedAt', updatedAt)
return version + 1
`;

module.exports = {
  CLAIM,
  COMPLETE,
  FAIL,
  REQUEUE,
  GET,
  LIST,
  PURGE,
  LAST_APPLIED,
  MARK_APPLIED,
  BILLING_GET,
  BILLING_FIND,
  BILLING_PUT,
  SAVE_PAYLOAD,
  DELETE_PAYLOAD,
};
