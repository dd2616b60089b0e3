// What `run` and `sweep` share: signals turned into a stop request, progress reporting, the
// creation time written to files, and output chunks filtered on the worker threads.
#pragma once

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "engine/ensemble.hpp"
#include "io/output_file.hpp"

namespace chipsim {

// A chunk filtered for the file by a worker (io::OutputWriter::encode), carried through the
// pipeline to the sink as the engine's opaque ChunkWork: compression runs in parallel and
// the single writer only stores bytes (docs/PERFORMANCE.md, "Output throughput").
struct EncodedWork : ChunkWork {
  io::EncodedChunk chunk;
};
inline ChunkPrepare encode_on_workers(const io::OutputWriter& writer) {
  return [&writer](const std::vector<Trajectory>& c, int point,
                   int first) -> std::unique_ptr<ChunkWork> {
    auto work = std::make_unique<EncodedWork>();
    writer.encode(c, point, first, work->chunk);
    return work;
  };
}
inline const io::EncodedChunk* encoded(const ChunkWork* work) {
  return work != nullptr ? &static_cast<const EncodedWork*>(work)->chunk : nullptr;
}

// Turns SIGINT and SIGTERM into a stop request without a global flag: the signals are
// blocked in every thread (worker threads inherit the mask) and a watcher thread receives
// them with sigtimedwait and sets the run's own flag.
class SignalWatcher {
 public:
  explicit SignalWatcher(std::atomic<bool>& stop) : stop_(stop) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &previous_);
    thread_ = std::thread([this] {
      const timespec tick{0, 100'000'000};
      while (!done_.load()) {
        const int sig = sigtimedwait(&set_, nullptr, &tick);
        if (done_.load()) break;  // woken by the destructor
        if (sig == SIGINT || sig == SIGTERM) {
          signal_ = sig;
          stop_.store(true);
        }
      }
    });
  }
  ~SignalWatcher() {
    // Woken at once rather than at its next tick: waiting for the tick added up to 100 ms
    // to the end of every run (docs/PERFORMANCE.md, "Fixed cost of a run").
    done_.store(true);
    pthread_kill(thread_.native_handle(), SIGTERM);
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;
  [[nodiscard]] int signal() const { return signal_.load(); }

 private:
  std::atomic<bool>& stop_;
  std::atomic<bool> done_{false};
  std::atomic<int> signal_{0};
  sigset_t set_{}, previous_{};
  std::thread thread_;
};

// Progress: on a terminal, a one-line bar with rate and ETA redrawn at most ten times a
// second; otherwise (a batch log) a plain line at every 10% and at least every 30 s, so logs
// are never empty. Silent with -q.
class Progress {
 public:
  Progress(int total, int already, bool enabled, std::FILE* stream, const char* what = "run",
           const char* unit = "replicates")
      : what_(what),
        unit_(unit),
        total_(total),
        start_count_(already),
        enabled_(enabled),
        terminal_(isatty(fileno(stream)) != 0),
        stream_(stream),
        start_(std::chrono::steady_clock::now()),
        last_(start_),
        last_decile_(total > 0 ? 10 * already / total : 10) {}
  void update(int done) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = seconds > 0 ? (done - start_count_) / seconds : 0;
    const double eta = rate > 0 ? (total_ - done) / rate : 0;
    const int percent = total_ > 0 ? 100 * done / total_ : 100;
    if (terminal_) {
      if (done < total_ && now - last_ < std::chrono::milliseconds(100)) return;
      last_ = now;
      const int width = 30, filled = total_ > 0 ? width * done / total_ : width;
      std::fprintf(stream_, "\r[%.*s%*s] %3d%% %d/%d  %.*f rep/s  ETA %.0fs ", filled,
                   "##############################", width - filled, "", percent, done, total_,
                   decimals(rate), rate, eta);
      if (done >= total_) std::fprintf(stream_, "\n");
    } else {
      const int decile = total_ > 0 ? 10 * done / total_ : 10;
      if (decile == last_decile_ && now - last_ < std::chrono::seconds(30)) return;
      last_decile_ = decile;
      last_ = now;
      std::fprintf(stream_, "chipsim %s: %d/%d %s (%d%%), %.*f rep/s, %.0f s elapsed, ETA %.0f s\n",
                   what_, done, total_, unit_, percent, decimals(rate), rate, seconds, eta);
    }
    std::fflush(stream_);
  }

 private:
  // Whole replicates per second, or two significant digits below 10 (a large world runs
  // a replicate in many seconds: 0.077 rep/s, not 0).
  static int decimals(double rate) {
    if (rate >= 10 || rate <= 0) return 0;
    return std::max(1, 1 - static_cast<int>(std::floor(std::log10(rate))));
  }
  const char *what_, *unit_;
  int total_, start_count_;
  bool enabled_, terminal_;
  std::FILE* stream_;
  std::chrono::steady_clock::time_point start_, last_;
  int last_decile_;
};

// The time a file records as `created`: now, or SOURCE_DATE_EPOCH (whole seconds since
// 1970-01-01 UTC, the reproducible-builds convention) when it is set, so that a run repeated
// with the same command writes the same bytes (docs/OUTPUT.md, "Reproducible files").
inline std::string utc_now() {
  std::time_t t = std::time(nullptr);
  if (const char* e = std::getenv("SOURCE_DATE_EPOCH"); e != nullptr && *e != '\0') {
    const std::string v = e;
    long long secs = -1;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), secs);
    // Up to 9999-12-31T23:59:59Z, the last time the format can write.
    if (ec != std::errc() || end != v.data() + v.size() || secs < 0 || secs > 253402300799LL)
      throw io::BadRequest(
          "SOURCE_DATE_EPOCH: expected whole seconds since 1970-01-01 UTC "
          "(0 to 253402300799), got '" +
          v + "'");
    t = static_cast<std::time_t>(secs);
  }
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace chipsim
