#include "spool.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

namespace socialdefault::gateway {

namespace {

constexpr const char* kActive = "choices.spool";
constexpr const char* kDrainingPrefix = "choices.draining.";

Error io_error(const std::string& what, const std::filesystem::path& file) {
  return make_error(ErrorCode::io, what + ": " + std::strerror(errno), file.string());
}

Result<void> sync_folder(const std::filesystem::path& folder) {
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return io_error("cannot open the spool folder", folder);
  const int rc = ::fsync(dir);
  ::close(dir);
  if (rc != 0) return io_error("cannot sync the spool folder", folder);
  return {};
}

}  // namespace

std::string new_record_id() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // Unique enough without the CSPRNG: the clock in ns and a counter.
    static std::atomic<std::uint64_t> counter{0};
    const auto now = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
    const std::uint64_t n = counter.fetch_add(1);
    for (int i = 0; i < 8; ++i) {
      bytes[static_cast<std::size_t>(i)] = static_cast<unsigned char>(now >> (8 * i));
      bytes[static_cast<std::size_t>(8 + i)] = static_cast<unsigned char>(n >> (8 * i));
    }
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "spool-";
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return out;
}

std::string choice_to_json(const ChoiceRecord& r) {
  boost::json::object o;
  o["at"] = r.at.time_since_epoch().count();
  o["local_date"] = format_date(r.local_date);
  o["correlation_id"] = r.correlation_id;
  o["order_ref"] = r.order_ref;
  o["line"] = r.line;
  o["requester_pseudonym"] = r.requester_pseudonym;
  o["department"] = r.department;
  o["category_code_system"] = r.category_code_system;
  o["category"] = r.category;
  o["default_offered"] = r.default_offered;
  o["chosen_supplier"] = r.chosen_supplier;
  o["chosen_identifiers"] = r.chosen_identifiers;
  o["social"] = r.social;
  o["evidence"] = r.evidence;
  o["addressable"] = r.addressable;
  o["outcome"] = to_string(r.outcome);
  o["amount_minor"] = r.amount.minor;
  o["currency"] = r.amount.currency;
  o["adapter"] = r.adapter;
  if (!r.arm.empty()) o["arm"] = r.arm;
  if (!r.record_id.empty()) o["record_id"] = r.record_id;
  // A changed order's version: replayed as a plain order it would count twice.
  if (r.order_version != 0) o["order_version"] = r.order_version;
  if (!r.document_ref.empty()) o["document_ref"] = r.document_ref;
  return boost::json::serialize(o);
}

Result<ChoiceRecord> choice_from_json(std::string_view line) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(line, ec);
  if (ec || !v.is_object()) return make_error(ErrorCode::invalid_argument, "not a JSON object");
  const boost::json::object& o = v.as_object();
  ChoiceRecord r;
  try {
    auto str = [&](const char* key) { return std::string(o.at(key).as_string()); };
    r.at = UtcSeconds(std::chrono::seconds(o.at("at").to_number<std::int64_t>()));
    auto date = parse_date(str("local_date"));
    if (!date) return std::move(date).error();
    r.local_date = *date;
    r.correlation_id = str("correlation_id");
    r.order_ref = str("order_ref");
    r.line = o.at("line").to_number<int>();
    r.requester_pseudonym = str("requester_pseudonym");
    r.department = str("department");
    r.category_code_system = str("category_code_system");
    r.category = str("category");
    r.default_offered = str("default_offered");
    r.chosen_supplier = str("chosen_supplier");
    r.chosen_identifiers = str("chosen_identifiers");
    r.social = o.at("social").as_bool();
    r.evidence = str("evidence");
    r.addressable = o.at("addressable").as_bool();
    auto outcome = parse_outcome(str("outcome"));
    if (!outcome) return std::move(outcome).error();
    r.outcome = *outcome;
    r.amount.minor = o.at("amount_minor").to_number<std::int64_t>();
    r.amount.currency = str("currency");
    r.adapter = str("adapter");
    // Absent in lines spooled before they were written.
    if (o.contains("arm")) r.arm = str("arm");
    if (o.contains("record_id")) r.record_id = str("record_id");
    if (o.contains("order_version")) r.order_version = o.at("order_version").to_number<std::int64_t>();
    if (o.contains("document_ref")) r.document_ref = str("document_ref");
  } catch (const std::exception& e) {
    return make_error(ErrorCode::invalid_argument, std::string("incomplete choice record: ") + e.what());
  }
  return r;
}

Result<std::unique_ptr<Spool>> Spool::open(const std::filesystem::path& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return make_error(ErrorCode::io, "cannot create the spool folder: " + ec.message(), folder.string());
  std::unique_ptr<Spool> spool(new Spool(folder));
  // Count what earlier runs left behind.
  std::size_t depth = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name != kActive && !name.starts_with(kDrainingPrefix)) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) ++depth;
    }
  }
  if (ec) return make_error(ErrorCode::io, "cannot read the spool folder: " + ec.message(), folder.string());
  spool->depth_ = depth;
  if (auto opened = spool->open_append(); !opened) return std::move(opened).error();
  return spool;
}

Spool::~Spool() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> Spool::open_append() {
  const std::filesystem::path file = folder_ / kActive;
  fd_ = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return io_error("cannot open the spool", file);
  return sync_folder(folder_);
}

Result<void> Spool::keep(std::span<const ChoiceRecord> records) {
  if (fd_ < 0) {
    if (auto opened = open_append(); !opened) return opened;
  }
  std::string text;
  for (const ChoiceRecord& r : records) {
    if (r.record_id.empty()) {
      // The replay is at least once; the id lets the ledger skip a record
      // it already took (a crash between its commit and the removal of the
      // drained file).
      ChoiceRecord identified = r;
      identified.record_id = new_record_id();
      text += choice_to_json(identified);
    } else {
      text += choice_to_json(r);
    }
    text += '\n';
  }
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write the spool", folder_ / kActive);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd_) != 0) return io_error("cannot sync the spool", folder_ / kActive);
  depth_ += records.size();
  return {};
}

Result<std::size_t> Spool::drain_file(Ledger& ledger, const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return io_error("cannot read the spool", file);
  std::vector<ChoiceRecord> records;
  std::size_t lines = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ++lines;
    auto record = choice_from_json(line);
    if (!record) {
      // A torn line from a crash in the middle of a write: it was never
      // synced, so never acknowledged.
      ++unreadable_;
      continue;
    }
    records.push_back(std::move(record).value());
  }
  std::size_t moved = records.size();
  if (!records.empty()) {
    auto appended = ledger.append_choices(records);
    if (!appended && appended.error().code != ErrorCode::invalid_argument) return std::move(appended).error();
    if (!appended) {
      // A record the ledger will never take must not hold the others
      // back: those go in one by one, it goes to choices.rejected for a
      // person to look at.
      moved = 0;
      for (const ChoiceRecord& r : records) {
        auto one = ledger.append_choices(std::span<const ChoiceRecord>(&r, 1));
        if (one) {
          ++moved;
          continue;
        }
        if (one.error().code != ErrorCode::invalid_argument) return std::move(one).error();
        if (auto kept = reject(r, one.error()); !kept) return std::move(kept).error();
      }
    }
  }
  std::error_code ec;
  std::filesystem::remove(file, ec);
  if (ec) return make_error(ErrorCode::io, "cannot remove the drained spool: " + ec.message(), file.string());
  if (auto synced = sync_folder(folder_); !synced) return std::move(synced).error();
  depth_ -= std::min(depth_.load(), lines);
  return moved;
}

Result<void> Spool::reject(const ChoiceRecord& record, const Error& why) {
  const std::filesystem::path file = folder_ / "choices.rejected";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot open the rejected-records file", file);
  std::string line = choice_to_json(record);
  line.insert(line.size() - 1, ",\"rejected_because\":" + boost::json::serialize(boost::json::value(why.describe())));
  line += '\n';
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fdatasync(fd) == 0;
  ::close(fd);
  if (!written) return io_error("cannot write the rejected-records file", file);
  ++rejected_;
  return {};
}

Result<std::size_t> Spool::drain(Ledger& ledger) {
  std::size_t moved = 0;
  // Files left from a drain that did not finish come first.
  std::vector<std::filesystem::path> draining;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder_, ec)) {
    if (entry.path().filename().string().starts_with(kDrainingPrefix)) draining.push_back(entry.path());
  }
  std::sort(draining.begin(), draining.end());
  for (const auto& file : draining) {
    auto n = drain_file(ledger, file);
    if (!n) return std::move(n).error();
    moved += *n;
  }
  const std::filesystem::path active = folder_ / kActive;
  if (std::filesystem::file_size(active, ec) == 0 || ec) return moved;
  // Move the active file aside so new records go to a fresh one while this
  // one is read; the sequence number keeps the drain order.
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%020lld",
                static_cast<long long>(std::chrono::system_clock::now().time_since_epoch().count()));
  const std::filesystem::path aside = folder_ / (std::string(kDrainingPrefix) + stamp);
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  std::filesystem::rename(active, aside, ec);
  if (ec) return make_error(ErrorCode::io, "cannot move the spool aside: " + ec.message(), active.string());
  if (auto opened = open_append(); !opened) return std::move(opened).error();
  auto n = drain_file(ledger, aside);
  if (!n) return std::move(n).error();
  return moved + *n;
}

}  // namespace socialdefault::gateway
