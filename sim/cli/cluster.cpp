#include "cli/cluster.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>

#ifdef CHIPSIM_HAVE_MPI
#include <mpi.h>
#endif

namespace chipsim {

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  try {
    return std::stoi(v);
  } catch (const std::exception&) {
    return fallback;
  }
}

}  // namespace

bool launched_by_mpi() {
  return env_int("OMPI_COMM_WORLD_SIZE", 0) > 1 || env_int("PMI_SIZE", 0) > 1 ||
         env_int("PMIX_SIZE", 0) > 1;
}

ClusterSession::ClusterSession() {
  if (!launched_by_mpi() && env_int("OMPI_COMM_WORLD_SIZE", 0) == 0) return;
#ifdef CHIPSIM_HAVE_MPI
  int already = 0;
  MPI_Initialized(&already);
  if (!already) {
    MPI_Init(nullptr, nullptr);
    initialised_ = true;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  local_size_ = std::max(1, env_int("OMPI_COMM_WORLD_LOCAL_SIZE", size_));
#else
  if (launched_by_mpi())
    throw std::runtime_error(
        "chipsim was started by mpirun but built without MPI; install libopenmpi-dev and "
        "rebuild, or split the sweep with --shard K/N and chipsim merge");
#endif
}

ClusterSession::~ClusterSession() {
#ifdef CHIPSIM_HAVE_MPI
  if (initialised_) MPI_Finalize();
#endif
}

bool ClusterSession::all(bool ok) const {
#ifdef CHIPSIM_HAVE_MPI
  if (size_ > 1) {
    int mine = ok ? 1 : 0, every = 0;
    MPI_Allreduce(&mine, &every, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return every == 1;
  }
#endif
  return ok;
}

void ClusterSession::barrier() const {
#ifdef CHIPSIM_HAVE_MPI
  if (size_ > 1) MPI_Barrier(MPI_COMM_WORLD);
#endif
}

}  // namespace chipsim
