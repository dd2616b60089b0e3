#include "engine/ensemble.hpp"

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <algorithm>
#include <memory>
#include <mutex>

#if defined(__SANITIZE_THREAD__)
#define CHIPSIM_TSAN_ANNOTATE 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CHIPSIM_TSAN_ANNOTATE 1
#endif
#endif
#ifdef CHIPSIM_TSAN_ANNOTATE
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace chipsim {

namespace {
// TBB hands a token from stage to stage, and a serial stage from one thread to the next,
// with its own atomics; Debian's libtbb is not instrumented, so ThreadSanitizer cannot see
// those edges and would report the stages' plain reads and writes as races. Under TSan
// (scripts/tsan.sh) the hand-offs TBB guarantees are stated to it: a stage releases what it
// hands on (the token, the serial stage's own state) and the next acquires it. Elsewhere
// these are no-ops.
void handed_on(const void* what) {
#ifdef CHIPSIM_TSAN_ANNOTATE
  __tsan_release(const_cast<void*>(what));
#else
  (void)what;
#endif
}
void taken_over(const void* what) {
#ifdef CHIPSIM_TSAN_ANNOTATE
  __tsan_acquire(const_cast<void*>(what));
#else
  (void)what;
#endif
}

bool stopped(const EnsembleOptions& o) {
  return o.stop != nullptr && o.stop->load(std::memory_order_relaxed);
}

struct Chunk {
  int first = 0;
  std::vector<Trajectory> trajectories;
  std::unique_ptr<ChunkWork> work;
  bool complete = false;  // every replicate ran (a stop can abandon a chunk between them)
};

// Runs replicates [first, first + size) into `out`; the model asks for a stop before each
// period (the first included); returns false if it stopped before the end.
bool run_replicates(Model& model, std::vector<Trajectory>& out, int point, int first,
                    std::uint64_t seed, const EnsembleOptions& options) {
  RunOptions run = options.run;
  if (options.stop != nullptr)
    run.stop_requested = [&options] {
      return stopped(options) || (options.run.stop_requested && options.run.stop_requested());
    };
  for (std::size_t i = 0; i < out.size(); ++i)
    if (!model.run(out[i], point, first + static_cast<int>(i), seed, run)) return false;
  return true;
}
}  // namespace

int run_ensemble_serial(const Scenario& scenario, int point, std::uint64_t seed, int first,
                        int count, const EnsembleOptions& options, const PreparedChunkSink& sink) {
  Model model(scenario);
  const int chunk = std::max(1, options.chunk);
  std::vector<Trajectory> buffer;
  int done = 0;
  while (done < count && !stopped(options)) {
    const int n = std::min(chunk, count - done);
    buffer.resize(static_cast<std::size_t>(n));
    if (!run_replicates(model, buffer, point, first + done, seed, options)) break;
    const auto work = options.prepare ? options.prepare(buffer, point, first + done) : nullptr;
    sink(buffer, first + done, work.get());
    done += n;
  }
  return done;
}

int run_ensemble_serial(const Scenario& scenario, int point, std::uint64_t seed, int first,
                        int count, const EnsembleOptions& options, const ChunkSink& sink) {
  return run_ensemble_serial(scenario, point, seed, first, count, options,
                             PreparedChunkSink([&](const std::vector<Trajectory>& c, int at,
                                                   ChunkWork*) { sink(c, at); }));
}

int run_ensemble(const Scenario& scenario, int point, std::uint64_t seed, int first, int count,
                 const EnsembleOptions& options, const ChunkSink& sink) {
  EnsembleOptions plain = options;
  plain.prepare = nullptr;
  return run_ensemble(scenario, point, seed, first, count, plain,
                      PreparedChunkSink([&](const std::vector<Trajectory>& c, int at, ChunkWork*) {
                        sink(c, at);
                      }));
}

int run_ensemble(const Scenario& scenario, int point, std::uint64_t seed, int first, int count,
                 const EnsembleOptions& options, const PreparedChunkSink& sink) {
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(oneapi::tbb::info::default_concurrency());
  if (threads == 1) return run_ensemble_serial(scenario, point, seed, first, count, options, sink);

  const oneapi::tbb::global_control limit(oneapi::tbb::global_control::max_allowed_parallelism,
                                          static_cast<std::size_t>(threads));
  // One Model per worker thread, built on first use.
  oneapi::tbb::enumerable_thread_specific<std::unique_ptr<Model>> models;
  const int chunk = std::max(1, options.chunk);
  const int tokens = 2 * threads;  // chunks alive at once: bounds memory
  // Chunk buffers are recycled through a free list so trajectories are allocated once.
  std::vector<std::unique_ptr<Chunk>> pool;
  std::vector<Chunk*> free_list;
  std::mutex free_mutex;  // the first and last stages may run at the same time
  for (int i = 0; i < tokens; ++i) {
    pool.push_back(std::make_unique<Chunk>());
    free_list.push_back(pool.back().get());
  }
  int next = 0, delivered = 0;
  bool cut = false;  // a chunk was abandoned: the last stage delivers nothing more

  oneapi::tbb::parallel_pipeline(
      static_cast<std::size_t>(tokens),
      oneapi::tbb::make_filter<void, Chunk*>(
          oneapi::tbb::filter_mode::serial_in_order,
          [&](oneapi::tbb::flow_control& fc) -> Chunk* {
            taken_over(&next);
            if (next >= count || stopped(options)) {
              handed_on(&next);
              fc.stop();
              return nullptr;
            }
            Chunk* c = nullptr;
            {
              const std::lock_guard<std::mutex> lock(free_mutex);
              c = free_list.back();
              free_list.pop_back();
            }
            c->first = first + next;
            c->trajectories.resize(static_cast<std::size_t>(std::min(chunk, count - next)));
            next += static_cast<int>(c->trajectories.size());
            handed_on(&next);
            handed_on(c);
            return c;
          }) &
          oneapi::tbb::make_filter<Chunk*, Chunk*>(
              oneapi::tbb::filter_mode::parallel,
              [&](Chunk* c) {
                taken_over(c);
                auto& model = models.local();
                if (!model) model = std::make_unique<Model>(scenario);
                c->complete =
                    run_replicates(*model, c->trajectories, point, c->first, seed, options);
                if (c->complete && options.prepare)
                  c->work = options.prepare(c->trajectories, point, c->first);
                handed_on(c);
                return c;
              }) &
          oneapi::tbb::make_filter<Chunk*, void>(
              oneapi::tbb::filter_mode::serial_in_order, [&](Chunk* c) {
                taken_over(c);
                taken_over(&delivered);
                // Delivered replicates stay contiguous: after an abandoned chunk, none.
                cut = cut || !c->complete;
                if (!cut) {
                  sink(c->trajectories, c->first, c->work.get());
                  delivered += static_cast<int>(c->trajectories.size());
                }
                c->work.reset();
                {
                  const std::lock_guard<std::mutex> lock(free_mutex);
                  free_list.push_back(c);
                }
                handed_on(&delivered);
              }));
  taken_over(&next);  // the pipeline's end hands every stage back to this thread
  taken_over(&delivered);
  return delivered;
}

bool run_jobs(const JobSource& next, std::uint64_t seed, const EnsembleOptions& options,
              const JobSink& sink) {
  EnsembleOptions plain = options;
  plain.prepare = nullptr;
  return run_jobs(next, seed, plain,
                  PreparedJobSink([&](const EnsembleJob& job, const std::vector<Trajectory>& c,
                                      int at, ChunkWork*) { sink(job, c, at); }));
}

bool run_jobs(const JobSource& next, std::uint64_t seed, const EnsembleOptions& options,
              const PreparedJobSink& sink) {
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(oneapi::tbb::info::default_concurrency());
  const int chunk = std::max(1, options.chunk);
  // A job as held by the pipeline, with a serial number: workers key their Model on it
  // (not on the scenario's address, which a later job's scenario may reuse).
  struct Held {
    EnsembleJob job;
    long serial = 0;
  };
  struct Piece {
    std::shared_ptr<const Held> held;
    int first = 0;
    std::vector<Trajectory> trajectories;
    std::unique_ptr<ChunkWork> work;
    bool complete = false;  // see Chunk
  };
  // The source: the current job and how far into it. A job with an error is delivered once,
  // as one piece with no trajectories.
  std::shared_ptr<const Held> held;
  long serial = 0;
  int offset = 0;
  bool finished_job = true, exhausted = false;
  bool cut = false;  // a piece was abandoned on a stop: nothing after it is delivered
  auto take = [&](Piece& piece) -> bool {  // fills the next piece; false after the last job
    while (finished_job) {
      auto j = next();
      if (!j) {
        exhausted = true;
        return false;
      }
      held = std::make_shared<const Held>(Held{std::move(*j), ++serial});
      offset = 0;
      finished_job = held->job.error.empty() && held->job.count <= 0;
    }
    piece.held = held;
    const EnsembleJob* job = &held->job;
    if (!job->error.empty()) {
      piece.first = job->first;
      piece.trajectories.clear();
      finished_job = true;
      return true;
    }
    piece.first = job->first + offset;
    piece.trajectories.resize(static_cast<std::size_t>(std::min(chunk, job->count - offset)));
    offset += static_cast<int>(piece.trajectories.size());
    finished_job = offset >= job->count;
    return true;
  };
  // Runs a piece's replicates and, if they all ran, options.prepare on them.
  auto compute = [&](Piece& piece, std::unique_ptr<Model>& model, long& built_for) {
    piece.complete = true;
    if (piece.trajectories.empty()) return;
    const EnsembleJob& job = piece.held->job;
    if (!model || built_for != piece.held->serial) {
      model = std::make_unique<Model>(*job.scenario);
      built_for = piece.held->serial;
    }
    piece.complete =
        run_replicates(*model, piece.trajectories, job.point, piece.first, seed, options);
    if (piece.complete && options.prepare)
      piece.work = options.prepare(piece.trajectories, job.point, piece.first);
  };

  if (threads == 1) {
    std::unique_ptr<Model> model;
    long built_for = 0;
    Piece piece;
    while (!stopped(options) && take(piece)) {
      compute(piece, model, built_for);
      if (!piece.complete) return false;
      sink(piece.held->job, piece.trajectories, piece.first, piece.work.get());
      piece.work.reset();
    }
    return exhausted;
  }

  const oneapi::tbb::global_control limit(oneapi::tbb::global_control::max_allowed_parallelism,
                                          static_cast<std::size_t>(threads));
  struct Worker {
    std::unique_ptr<Model> model;
    long built_for = 0;
  };
  oneapi::tbb::enumerable_thread_specific<Worker> workers;
  const int tokens = 2 * threads;
  std::vector<std::unique_ptr<Piece>> pool;
  std::vector<Piece*> free_list;
  std::mutex free_mutex;
  for (int i = 0; i < tokens; ++i) {
    pool.push_back(std::make_unique<Piece>());
    free_list.push_back(pool.back().get());
  }
  oneapi::tbb::parallel_pipeline(
      static_cast<std::size_t>(tokens),
      oneapi::tbb::make_filter<void, Piece*>(oneapi::tbb::filter_mode::serial_in_order,
                                             [&](oneapi::tbb::flow_control& fc) -> Piece* {
                                               taken_over(&held);
                                               Piece* p = nullptr;
                                               {
                                                 const std::lock_guard<std::mutex> lock(free_mutex);
                                                 p = free_list.back();
                                                 free_list.pop_back();
                                               }
                                               if (stopped(options) || !take(*p)) {
                                                 {
                                                   const std::lock_guard<std::mutex> lock(
                                                       free_mutex);
                                                   free_list.push_back(p);
                                                 }
                                                 handed_on(&held);
                                                 fc.stop();
                                                 return nullptr;
                                               }
                                               handed_on(&held);
                                               handed_on(p);
                                               return p;
                                             }) &
          oneapi::tbb::make_filter<Piece*, Piece*>(oneapi::tbb::filter_mode::parallel,
                                                   [&](Piece* p) {
                                                     taken_over(p);
                                                     Worker& w = workers.local();
                                                     compute(*p, w.model, w.built_for);
                                                     handed_on(p);
                                                     return p;
                                                   }) &
          oneapi::tbb::make_filter<Piece*, void>(
              oneapi::tbb::filter_mode::serial_in_order, [&](Piece* p) {
                taken_over(p);
                taken_over(&sink);
                cut = cut || !p->complete;  // as in run_ensemble
                if (!cut) sink(p->held->job, p->trajectories, p->first, p->work.get());
                p->work.reset();
                p->held.reset();
                {
                  const std::lock_guard<std::mutex> lock(free_mutex);
                  free_list.push_back(p);
                }
                handed_on(&sink);
              }));
  taken_over(&held);  // the pipeline's end hands every stage back to this thread
  taken_over(&sink);
  return exhausted && !cut;
}

}  // namespace chipsim
