#include "src/core/sqlite_store.h"

#include <utility>

#include "src/core/saturating_int64.h"
#include "src/core/store_rules.h"

namespace hookwise {
namespace {

// The most operations one transaction takes: bounds the latency of the first
// operation in a large burst and the size of a rollback.
constexpr std::size_t kMaxBatch = 512;
// How often the writer deletes records past retentionMs: once a minute, as
// every other store (docs/stores.md, "Retention").
constexpr std::int64_t kSweepIntervalMs = 60 * 1000;

constexpr char kEventColumns[] =
    "type, created, object_id, status, attempts, last_error, received_at, updated_at, token, "
    "lease_expires_at, payload, id, order_object_id, order_created, order_rank";

constexpr char kBillingColumns[] = "customer_id, user_id, record, version, updated_at";

// Reads a row selected with kBillingColumns.
BillingDocument ReadBillingDocument(const SqliteStatement& s) {
  return BillingDocument{s.Text(0), s.OptionalText(1), s.Text(2), s.Int(3), s.Int(4)};
}

// Reads a row selected with kEventColumns.
EventRecord ReadRecord(const SqliteStatement& s, bool with_payload) {
  EventRecord r;
  r.type = s.Text(0);
  r.created = s.Int(1);
  r.object_id = s.OptionalText(2);
  r.status = ParseEventStatus(s.Text(3)).value_or(EventStatus::kProcessing);
  r.attempts = s.Int(4);
  r.last_error = s.OptionalText(5);
  r.received_at_ms = s.Int(6);
  r.updated_at_ms = s.Int(7);
  r.token = s.OptionalText(8).value_or(std::string());
  r.lease_expires_at_ms = s.Int(9);
  if (with_payload) r.payload = s.OptionalBlob(10);
  r.id = s.Text(11);
  if (std::optional<std::string> order_object = s.OptionalText(12)) {
    r.order = OrderKey{std::move(*order_object), s.Int(13), s.Int(14)};
  }
  return r;
}

bool AbortsBatch(const StoreError& error) {
  return !error.ok() && error.code != StoreErrorCode::kInvalidArgument;
}

// The order columns: NULL for a claim without meta.order.
void BindOrder(SqliteStatement& s, int first, const std::optional<OrderKey>& order) {
  if (order) {
    s.Bind(first, std::string_view(order->object_id));
    s.Bind(first + 1, order->created);
    s.Bind(first + 2, order->rank);
  } else {
    for (int i = 0; i < 3; ++i) sqlite3_bind_null(s.get(), first + i);
  }
}

// A claim is a lease, and a lease is lost in a crash anyway: a batch of claims
// only (and reads) commits without waiting for the disk. Everything else, a
// completion above all, waits for the fsync under durability kFull. In WAL mode
// that fsync covers every frame appended before it, so a completion that is
// durable also makes durable the claim it completes (docs/stores.md, "What a
// power loss can take").
bool NeedsSync(const StoreOp& op) {
  return !IsReadOnly(op) && !std::holds_alternative<ClaimOp>(op);
}

// The token column is NULL while nobody holds the event.
void BindToken(SqliteStatement& s, int i, const std::string& token) {
  if (token.empty()) {
    sqlite3_bind_null(s.get(), i);
  } else {
    s.Bind(i, std::string_view(token));
  }
}

}  // namespace

SqliteStore::SqliteStore(SqliteStoreOptions options)
    : options_([&] {
        if (!options.clock) options.clock = std::make_shared<SystemStoreClock>();
        return std::move(options);
      }()) {}

SqliteStore::~SqliteStore() { Close(); }

void SqliteStore::Submit(StoreOp op, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!closing_) {
      queue_.push_back(Pending{std::move(op), std::move(done)});
      if (!writer_.joinable()) writer_ = std::thread([this] { WriterLoop(); });
      wake_.notify_one();
      return;
    }
  }
  done(FailedStoreOp(StoreError{StoreErrorCode::kClosed, "the store is closed"}));
}

void SqliteStore::Close() {
  std::lock_guard close_lock(close_mu_);
  std::thread writer;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    closing_ = true;
    closed_ = true;
    writer = std::move(writer_);
    wake_.notify_one();
  }
  if (writer.joinable()) writer.join();
}

void SqliteStore::WriterLoop() {
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) break;  // closing, and everything submitted has run
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    RunBatch(batch);
    batch.clear();
  }
  CloseDatabase();
}

void SqliteStore::RunBatch(std::vector<Pending>& batch) {
  std::vector<StoreOpResult> results(batch.size());
  auto fail_all = [&](const StoreError& error) {
    for (auto& result : results) result = FailedStoreOp(error);
  };

  if (StoreError e = EnsureOpen(); !e.ok()) {
    fail_all(e);
  } else {
    SweepIfDue();
    bool reads_only = true;
    bool needs_sync = false;
    for (const auto& p : batch) {
      reads_only = reads_only && IsReadOnly(p.op);
      needs_sync = needs_sync || NeedsSync(p.op);
    }
    SyncCommits(needs_sync);
    // A write batch takes the write lock up front (IMMEDIATE), so it never has
    // to upgrade a read lock and fail with SQLITE_BUSY_SNAPSHOT.
    int rc = sqlite3_exec(db_, reads_only ? "BEGIN" : "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
      fail_all(Error(rc, "cannot start a transaction"));
    } else {
      StoreError abort;
      for (std::size_t i = 0; i < batch.size() && abort.ok(); ++i) {
        results[i] = Execute(batch[i].op);
        if (AbortsBatch(results[i].error)) abort = results[i].error;
      }
      if (abort.ok()) {
        rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK) abort = Error(rc, "cannot commit");
      }
      if (!abort.ok()) {
        // The transaction may already be rolled back by SQLite (e.g. on
        // SQLITE_FULL); ROLLBACK then fails harmlessly.
        if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        fail_all(abort);
      }
    }
  }
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(results[i]));
}

void SqliteStore::SyncCommits(bool sync) {
  if (options_.durability != Durability::kFull || sync == synced_commits_) return;
  // Outside a transaction, so the setting applies to the next COMMIT. If it
  // cannot be changed, the connection keeps the stricter FULL it has.
  const char* pragma = sync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
  if (sqlite3_exec(db_, pragma, nullptr, nullptr, nullptr) == SQLITE_OK) synced_commits_ = sync;
}

StoreError SqliteStore::EnsureOpen() {
  if (db_ != nullptr) return {};
  SqliteOpenOptions open;
  open.path = options_.path;
  open.durability = options_.durability;
  open.busy_timeout_ms = options_.busy_timeout_ms;
  if (StoreError e = OpenSqliteDatabase(open, &db_); !e.ok()) return e;
  if (StoreError e = PrepareStatements(); !e.ok()) {
    CloseDatabase();
    return e;
  }
  next_sweep_ms_ = 0;
  return {};
}

void SqliteStore::CloseDatabase() {
  select_event_.Finalize();
  insert_event_.Finalize();
  update_event_.Finalize();
  select_applied_.Finalize();
  upsert_applied_.Finalize();
  for (SqliteStatement* s :
       {&select_mark_, &touch_mark_, &select_slot_, &upsert_slot_, &delete_slot_, &purge_slots_}) {
    s->Finalize();
  }
  purge_events_.Finalize();
  purge_applied_.Finalize();
  select_billing_.Finalize();
  find_billing_.Finalize();
  insert_billing_.Finalize();
  update_billing_.Finalize();
  list_statements_.clear();
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
  synced_commits_ = true;  // a connection opens with the configured FULL
}

StoreError SqliteStore::PrepareStatements() {
  const std::string select = std::string("SELECT ") + kEventColumns + " FROM events WHERE id = ?1";
  const std::string billing = std::string("SELECT ") + kBillingColumns + " FROM billing ";
  struct {
    SqliteStatement* stmt;
    std::string sql;
  } statements[] = {
      {&select_event_, select},
      {&insert_event_,
       "INSERT INTO events (id, type, created, object_id, status, attempts, last_error, "
       "received_at, updated_at, token, lease_expires_at, payload, order_object_id, "
       "order_created, order_rank) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"},
      {&update_event_,
       "UPDATE events SET status = ?2, attempts = ?3, last_error = ?4, updated_at = ?5, "
       "token = ?6, lease_expires_at = ?7, payload = coalesce(payload, ?8), "
       "order_object_id = ?9, order_created = ?10, order_rank = ?11 WHERE id = ?1"},
      {&select_applied_, "SELECT created FROM applied WHERE object_id = ?1"},
      {&upsert_applied_,
       // The newest created stays; every mark renews the marker's age (an
       // object still receiving events keeps its ordering protection).
       // (created, rank) only moves forward (markApplied marks rank 0).
       "INSERT INTO applied (object_id, created, rank, event_id, updated_at) "
       "VALUES (?1, ?2, ?5, ?3, ?4) "
       "ON CONFLICT (object_id) DO UPDATE SET "
       "created = CASE WHEN (applied.created, applied.rank) > (excluded.created, excluded.rank) "
       "THEN applied.created ELSE excluded.created END, "
       "rank = CASE WHEN (applied.created, applied.rank) > (excluded.created, excluded.rank) "
       "THEN applied.rank ELSE excluded.rank END, "
       "event_id = CASE WHEN (applied.created, applied.rank) > (excluded.created, excluded.rank) "
       "THEN applied.event_id ELSE excluded.event_id END, "
       "updated_at = excluded.updated_at"},
      {&select_mark_, "SELECT created, rank FROM applied WHERE object_id = ?1"},
      {&touch_mark_, "UPDATE applied SET updated_at = ?2 WHERE object_id = ?1"},
      {&select_slot_, "SELECT event_id, expires_at FROM ordering_slots WHERE object_id = ?1"},
      {&upsert_slot_,
       "INSERT INTO ordering_slots (object_id, event_id, expires_at) VALUES (?1, ?2, ?3) "
       "ON CONFLICT (object_id) DO UPDATE SET event_id = excluded.event_id, "
       "expires_at = excluded.expires_at"},
      {&delete_slot_, "DELETE FROM ordering_slots WHERE object_id = ?1 AND event_id = ?2"},
      {&purge_slots_, "DELETE FROM ordering_slots WHERE expires_at <= ?1"},
      // received_at < cutoff adds nothing to updated_at < cutoff (received_at
      // <= updated_at) but lets SQLite find the rows through events_by_received.
      {&purge_events_,
       "DELETE FROM events WHERE received_at < ?1 AND updated_at < ?1 AND status <> 'processing'"},
      {&purge_applied_, "DELETE FROM applied WHERE updated_at < ?1"},
      {&select_billing_, billing + "WHERE customer_id = ?1"},
      {&find_billing_,
       billing + "WHERE user_id = ?1 ORDER BY updated_at DESC, customer_id ASC LIMIT 1"},
      // Compare-and-set: the insert when no document is expected, the update
      // when version ?6 is; sqlite3_changes says whether it won.
      {&insert_billing_,
       "INSERT INTO billing (customer_id, user_id, record, version, updated_at) "
       "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (customer_id) DO NOTHING"},
      {&update_billing_,
       "UPDATE billing SET user_id = ?2, record = ?3, version = ?4, updated_at = ?5 "
       "WHERE customer_id = ?1 AND version = ?6"},
  };
  for (auto& s : statements) {
    const int rc = s.stmt->Prepare(db_, s.sql);
    if (rc != SQLITE_OK) return Error(rc, "cannot prepare a statement");
  }
  return {};
}

void SqliteStore::SweepIfDue() {
  const std::int64_t now = Now();
  if (now < next_sweep_ms_) return;
  next_sweep_ms_ = now + kSweepIntervalMs;
  // Best effort, in its own transaction: a failure here (e.g. another process
  // holds the lock) must not fail the operations that triggered it.
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return;
  const std::int64_t cutoff = SaturatingSub(now, options_.retention_ms);
  bool ok = true;
  for (SqliteStatement* stmt : {&purge_events_, &purge_applied_}) {
    stmt->Bind(1, cutoff);
    ok = ok && stmt->Step() == SQLITE_DONE;
    stmt->Reset();
  }
  purge_slots_.Bind(1, now);  // slots whose lease ended hold nothing
  ok = ok && purge_slots_.Step() == SQLITE_DONE;
  purge_slots_.Reset();
  sqlite3_exec(db_, ok ? "COMMIT" : "ROLLBACK", nullptr, nullptr, nullptr);
  if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

StoreError SqliteStore::Error(int rc, const std::string& what) {
  return SqliteError(db_, rc, what, options_.path);
}

StoreOpResult SqliteStore::Execute(const StoreOp& op) {
  if (StoreError e = CheckStoreOp(op); !e.ok()) return FailedStoreOp(std::move(e));
  return std::visit(
      [&](const auto& o) { return ToStoreOpResult<std::decay_t<decltype(o)>>(Apply(o)); }, op);
}

int SqliteStore::Load(std::string_view id, std::optional<EventRecord>& out) {
  out.reset();
  select_event_.Bind(1, id);
  const int rc = select_event_.Step();
  if (rc == SQLITE_ROW) out = ReadRecord(select_event_, options_.keep_payloads);
  select_event_.Reset();
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int SqliteStore::Insert(const EventRecord& r) {
  SqliteStatement& s = insert_event_;
  s.Bind(1, std::string_view(r.id));
  s.Bind(2, std::string_view(r.type));
  s.Bind(3, r.created);
  s.Bind(4, r.object_id);
  s.Bind(5, EventStatusName(r.status));
  s.Bind(6, r.attempts);
  s.Bind(7, r.last_error);
  s.Bind(8, r.received_at_ms);
  s.Bind(9, r.updated_at_ms);
  BindToken(s, 10, r.token);
  s.Bind(11, r.lease_expires_at_ms);
  s.BindBlob(12, r.payload);
  BindOrder(s, 13, r.order);
  const int rc = s.Step();
  s.Reset();
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int SqliteStore::Update(const EventRecord& r) {
  SqliteStatement& s = update_event_;
  s.Bind(1, std::string_view(r.id));
  s.Bind(2, EventStatusName(r.status));
  s.Bind(3, r.attempts);
  s.Bind(4, r.last_error);
  s.Bind(5, r.updated_at_ms);
  BindToken(s, 6, r.token);
  s.Bind(7, r.lease_expires_at_ms);
  if (options_.keep_payloads) {
    s.BindBlob(8, r.payload);
  } else {
    sqlite3_bind_null(s.get(), 8);
  }
  BindOrder(s, 9, r.order);
  const int rc = s.Step();
  s.Reset();
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

StoreResult<Claim> SqliteStore::Apply(const ClaimOp& op) {
  using R = StoreResult<Claim>;
  std::optional<EventRecord> record;
  int rc = Load(op.id, record);
  if (rc != SQLITE_OK) return R::Err(Error(rc, "cannot read the event"));
  const bool existed = record.has_value();
  std::optional<OrderMark> mark;
  std::optional<OrderSlot> slot;
  if (op.meta.order) {
    rc = LoadOrder(op.meta.order->object_id, mark, slot);
    if (rc != SQLITE_OK) return R::Err(Error(rc, "cannot read the ordering marker"));
  }
  Claim claim =
      ApplyOrderedClaim(record, mark, slot, op.id, op.meta, Now(), options_.keep_payloads);
  if (claim.status != ClaimStatus::kAcquired && claim.status != ClaimStatus::kStale) {
    return R::Ok(std::move(claim));
  }
  rc = existed ? Update(*record) : Insert(*record);
  // Atomic ordering, in this same transaction: an acquired claim takes the
  // slot, a stale one renews the marker.
  if (rc == SQLITE_OK && op.meta.order) {
    rc = claim.status == ClaimStatus::kAcquired ? SaveSlot(op.meta.order->object_id, *slot)
                                                : TouchMarker(op.meta.order->object_id);
  }
  if (rc != SQLITE_OK) return R::Err(Error(rc, "cannot record the claim"));
  return R::Ok(std::move(claim));
}

namespace {
// Steps a write statement already bound; SQLITE_OK when it ran.
int RunBound(SqliteStatement& s) {
  const int rc = s.Step();
  s.Reset();
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}
}  // namespace

int SqliteStore::LoadOrder(const std::string& object_id, std::optional<OrderMark>& mark,
                           std::optional<OrderSlot>& slot) {
  select_mark_.Bind(1, std::string_view(object_id));
  int rc = select_mark_.Step();
  if (rc == SQLITE_ROW) mark = OrderMark{select_mark_.Int(0), select_mark_.Int(1)};
  select_mark_.Reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return rc;
  select_slot_.Bind(1, std::string_view(object_id));
  rc = select_slot_.Step();
  if (rc == SQLITE_ROW) slot = OrderSlot{select_slot_.Text(0), select_slot_.Int(1)};
  select_slot_.Reset();
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int SqliteStore::SaveSlot(const std::string& object_id, const OrderSlot& slot) {
  upsert_slot_.Bind(1, std::string_view(object_id));
  upsert_slot_.Bind(2, std::string_view(slot.event_id));
  upsert_slot_.Bind(3, slot.expires_at_ms);
  return RunBound(upsert_slot_);
}

int SqliteStore::ReleaseSlot(const EventRecord& record) {
  if (!record.order) return SQLITE_OK;
  delete_slot_.Bind(1, std::string_view(record.order->object_id));
  delete_slot_.Bind(2, std::string_view(record.id));
  return RunBound(delete_slot_);
}

int SqliteStore::RaiseMarker(const OrderKey& key, const std::string& event_id) {
  SqliteStatement& s = upsert_applied_;
  s.Bind(1, std::string_view(key.object_id));
  s.Bind(2, key.created);
  s.Bind(3, std::string_view(event_id));
  s.Bind(4, Now());
  s.Bind(5, key.rank);
  return RunBound(s);
}

int SqliteStore::TouchMarker(const std::string& object_id) {
  touch_mark_.Bind(1, std::string_view(object_id));
  touch_mark_.Bind(2, Now());
  return RunBound(touch_mark_);
}

template <typename T, typename Rule>
StoreResult<T> SqliteStore::Modify(const std::string& id, T if_unknown, const char* what,
                                   Rule rule) {
  using R = StoreResult<T>;
  std::optional<EventRecord> record;
  int rc = Load(id, record);
  if (rc != SQLITE_OK) return R::Err(Error(rc, "cannot read the event"));
  if (!record) return R::Ok(std::move(if_unknown));
  auto [result, changed] = rule(*record);
  if (!changed) return R::Ok(std::move(result));
  rc = Update(*record);
  if (rc != SQLITE_OK) return R::Err(Error(rc, what));
  return R::Ok(std::move(result));
}

StoreResult<bool> SqliteStore::Apply(const CompleteOp& op) {
  std::optional<EventRecord> done;
  StoreResult<bool> result =
      Modify(op.id, false, "cannot record the completion", [&](EventRecord& record) {
        const bool completed = ApplyComplete(record, op.token, Now());
        if (completed && record.order) done = record;
        return std::pair{completed, completed};
      });
  if (!result.ok() || !done) return result;
  // Atomic ordering: the completion marks the object and frees its slot, in
  // this same transaction (a failure rolls the completion back with them).
  int rc = RaiseMarker(*done->order, done->id);
  if (rc == SQLITE_OK) rc = ReleaseSlot(*done);
  if (rc != SQLITE_OK) return StoreResult<bool>::Err(Error(rc, "cannot record the completion"));
  return result;
}

StoreResult<FailOutcome> SqliteStore::Apply(const FailOp& op) {
  std::optional<EventRecord> failed;
  StoreResult<FailOutcome> result =
      Modify(op.id, UnknownEventFail(), "cannot record the failure", [&](EventRecord& record) {
        const FailOutcome outcome = ApplyFail(record, op.token, op.error, op.max_attempts, Now());
        if (!outcome.stale && record.order) failed = record;
        return std::pair{outcome, !outcome.stale};
      });
  if (!result.ok() || !failed) return result;
  if (const int rc = ReleaseSlot(*failed); rc != SQLITE_OK) {
    return StoreResult<FailOutcome>::Err(Error(rc, "cannot record the failure"));
  }
  return result;
}

StoreResult<bool> SqliteStore::Apply(const RequeueOp& op) {
  return Modify(op.id, false, "cannot requeue the event", [&](EventRecord& record) {
    const bool requeued = ApplyRequeue(record, Now());
    return std::pair{requeued, requeued};
  });
}

StoreResult<std::optional<std::int64_t>> SqliteStore::Apply(const LastAppliedOp& op) {
  using R = StoreResult<std::optional<std::int64_t>>;
  select_applied_.Bind(1, std::string_view(op.object_id));
  const int rc = select_applied_.Step();
  std::optional<std::int64_t> created;
  if (rc == SQLITE_ROW) created = select_applied_.Int(0);
  select_applied_.Reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return R::Err(Error(rc, "cannot read lastApplied"));
  return R::Ok(created);
}

StoreResult<std::monostate> SqliteStore::Apply(const MarkAppliedOp& op) {
  using R = StoreResult<std::monostate>;
  const int rc = RaiseMarker(OrderKey{op.object_id, op.created, 0}, op.event_id);
  if (rc != SQLITE_OK) return R::Err(Error(rc, "cannot record markApplied"));
  return R::Ok({});
}

StoreResult<std::optional<EventRecord>> SqliteStore::Apply(const GetOp& op) {
  using R = StoreResult<std::optional<EventRecord>>;
  std::optional<EventRecord> record;
  const int rc = Load(op.id, record);
  if (rc != SQLITE_OK) return R::Err(Error(rc, "cannot read the event"));
  return R::Ok(std::move(record));
}

std::string SqliteListSql(const ListQuery& query) {
  std::string sql = std::string("SELECT ") + kEventColumns + " FROM events WHERE 1";
  if (query.status) {
    sql += " AND status = ?1";
    if (*query.status != EventStatus::kCompleted) sql += " AND status <> 'completed'";
  }
  if (query.type) sql += " AND type = ?2";
  if (query.before_ms) sql += " AND received_at < ?3";
  sql += " ORDER BY received_at DESC, id ASC LIMIT ?4";
  return sql;
}

SqliteStatement* SqliteStore::ListStatement(const ListQuery& query, int& rc) {
  // One prepared statement per form of the query, so each can use its index
  // (an `?1 IS NULL OR status = ?1` form would defeat them). Keyed by its SQL
  // text, so the forms are decided in SqliteListSql alone.
  std::string sql = SqliteListSql(query);
  auto [it, inserted] = list_statements_.try_emplace(std::move(sql));
  rc = SQLITE_OK;
  if (inserted) {
    rc = it->second.Prepare(db_, it->first);
    if (rc != SQLITE_OK) {
      list_statements_.erase(it);
      return nullptr;
    }
  }
  return &it->second;
}

StoreResult<std::vector<EventRecord>> SqliteStore::Apply(const ListOp& op) {
  using R = StoreResult<std::vector<EventRecord>>;
  int rc = SQLITE_OK;
  SqliteStatement* s = ListStatement(op.query, rc);
  if (s == nullptr) return R::Err(Error(rc, "cannot list events"));
  if (op.query.status) s->Bind(1, EventStatusName(*op.query.status));
  if (op.query.type) s->Bind(2, std::string_view(*op.query.type));
  if (op.query.before_ms) s->Bind(3, *op.query.before_ms);
  s->Bind(4, static_cast<std::int64_t>(op.query.limit));
  std::vector<EventRecord> records;
  while ((rc = s->Step()) == SQLITE_ROW) records.push_back(ReadRecord(*s, options_.keep_payloads));
  s->Reset();
  if (rc != SQLITE_DONE) return R::Err(Error(rc, "cannot list events"));
  return R::Ok(std::move(records));
}

StoreResult<std::int64_t> SqliteStore::Apply(const PurgeOp& op) {
  using R = StoreResult<std::int64_t>;
  const std::int64_t cutoff = SaturatingSub(Now(), op.older_than_ms);
  purge_events_.Bind(1, cutoff);
  int rc = purge_events_.Step();
  const std::int64_t deleted = sqlite3_changes64(db_);
  purge_events_.Reset();
  if (rc != SQLITE_DONE) return R::Err(Error(rc, "cannot purge"));
  purge_applied_.Bind(1, cutoff);
  rc = purge_applied_.Step();
  purge_applied_.Reset();
  if (rc != SQLITE_DONE) return R::Err(Error(rc, "cannot purge"));
  return R::Ok(deleted);
}

StoreResult<std::optional<BillingDocument>> SqliteStore::LoadBilling(SqliteStatement& s) {
  using R = StoreResult<std::optional<BillingDocument>>;
  const int rc = s.Step();
  std::optional<BillingDocument> doc;
  if (rc == SQLITE_ROW) doc = ReadBillingDocument(s);
  s.Reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return R::Err(Error(rc, "cannot read billing state"));
  return R::Ok(std::move(doc));
}

StoreResult<std::optional<BillingDocument>> SqliteStore::Apply(const BillingGetOp& op) {
  select_billing_.Bind(1, std::string_view(op.customer_id));
  return LoadBilling(select_billing_);
}

StoreResult<std::optional<BillingDocument>> SqliteStore::Apply(const BillingFindOp& op) {
  find_billing_.Bind(1, std::string_view(op.user_id));
  return LoadBilling(find_billing_);
}

StoreResult<std::optional<std::int64_t>> SqliteStore::Apply(const BillingPutOp& op) {
  using R = StoreResult<std::optional<std::int64_t>>;
  const std::int64_t version = op.expected_version + 1;
  SqliteStatement& s = op.expected_version == 0 ? insert_billing_ : update_billing_;
  s.Bind(1, std::string_view(op.customer_id));
  s.Bind(2, op.user_id);
  s.Bind(3, std::string_view(op.record));
  s.Bind(4, version);
  s.Bind(5, op.updated_at_ms);
  if (op.expected_version != 0) s.Bind(6, op.expected_version);
  const int rc = s.Step();
  const std::int64_t changed = sqlite3_changes64(db_);
  s.Reset();
  if (rc != SQLITE_DONE) return R::Err(Error(rc, "cannot record billing state"));
  if (changed == 0) return R::Ok(std::nullopt);
  return R::Ok(version);
}

}  // namespace hookwise
