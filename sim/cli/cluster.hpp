// The MPI session of a `chipsim sweep` launched by mpirun (docs/CLUSTER.md). Each rank runs
// the shard rank/size of the sweep's (point, replicate) work into its own part file; rank 0
// merges the parts once every rank has finished, so the output is the file a one-process
// run writes. Without MPI in the build, or when not launched by mpirun, there is one rank.
#pragma once

namespace chipsim {

class ClusterSession {
 public:
  // Initialises MPI only when the environment says mpirun (or srun with PMI) started us.
  ClusterSession();
  ~ClusterSession();
  ClusterSession(const ClusterSession&) = delete;
  ClusterSession& operator=(const ClusterSession&) = delete;

  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int size() const { return size_; }
  // Ranks on this node, to share its cores between them.
  [[nodiscard]] int local_size() const { return local_size_; }
  // True on every rank when `ok` is true on every rank (a collective call).
  [[nodiscard]] bool all(bool ok) const;
  void barrier() const;

 private:
  int rank_ = 0, size_ = 1, local_size_ = 1;
  bool initialised_ = false;
};

// Whether the environment shows a launch by mpirun or srun with more than one task.
[[nodiscard]] bool launched_by_mpi();

}  // namespace chipsim
