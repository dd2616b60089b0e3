// How many replicates an HDF5 chunk holds (io::chunk_replicates), and that a file the writer
// fails to build is not left behind. The file's layout end to end is checked from Python
// (tests/python/test_output.py).
#include "io/output_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "model/model.hpp"
#include "support/fixture.hpp"

namespace chipsim::io {
namespace {

// What a worker holds per replicate, counted from a trajectory the model filled.
std::size_t held_bytes(const Scenario& s) {
  const Trajectory t = run_replicate(s, 0, 0, 1, RunOptions{.noise = false});
  std::size_t bytes = 0;
  for (const VariableInfo& v : variables())
    bytes += (t.*(v.series)).data().size() * sizeof(double);
  return bytes;
}

TEST(ChunkReplicates, TrajectoryBytesAreWhatTheModelFills) {
  const Scenario mini = load_scenario_text(test::kMiniScenario, "mini.toml");
  EXPECT_EQ(trajectory_bytes(mini), held_bytes(mini));
  const Scenario wide = load_scenario_text(test::mini_with_products(40), "wide.toml");
  EXPECT_EQ(trajectory_bytes(wide), held_bytes(wide));
  EXPECT_GT(trajectory_bytes(wide), 10 * trajectory_bytes(mini));
}

TEST(ChunkReplicates, UnsetTakesTheMostWholeTrajectoriesTheBudgetHolds) {
  const Scenario mini = load_scenario_text(test::kMiniScenario, "mini.toml");
  EXPECT_EQ(mini.output.chunk_replicates, 0);  // unset
  const auto all = select_variables({}, mini);
  EXPECT_EQ(chunk_replicates(mini, all, false, 1000), kDefaultChunkReplicates);  // small world

  const Scenario wide = load_scenario_text(test::mini_with_products(2000), "wide.toml");
  const std::size_t per = trajectory_bytes(wide);
  ASSERT_GT(per, kChunkBudgetBytes / kDefaultChunkReplicates);  // 64 would pass the budget
  const int n = chunk_replicates(wide, select_variables({}, wide), false, 1000);
  EXPECT_LT(n, kDefaultChunkReplicates);
  EXPECT_GE(n, 1);
  EXPECT_LE(static_cast<std::size_t>(n) * per, kChunkBudgetBytes);
  EXPECT_GT(static_cast<std::size_t>(n + 1) * per, kChunkBudgetBytes);
  // Neither the selection, nor the precision, nor the run's length changes the choice.
  EXPECT_EQ(chunk_replicates(wide, select_variables({"price"}, wide), true, 7), n);
}

TEST(ChunkReplicates, ASetValueIsKeptUnlessAChunkWouldPassHdf5sLimit) {
  const Scenario set =
      load_scenario_text(test::kMiniScenario, "mini.toml", {"output.chunk_replicates=5"});
  EXPECT_EQ(chunk_replicates(set, select_variables({}, set), false, 1000), 5);
  EXPECT_EQ(chunk_replicates(set, select_variables({}, set), false, 3), 5);  // writer clamps

  // units_sold: 28 periods x 2,003 products x 2 channels x 2 regions, 8 bytes each.
  const std::uint64_t per = 28ULL * 2003 * 2 * 2 * 8;
  const std::uint64_t fits = kMaxChunkBytes / per;  // 2,393 replicates
  const Scenario wide = load_scenario_text(test::mini_with_products(2000), "wide.toml",
                                           {"output.chunk_replicates=3000"});
  const auto units_sold = select_variables({"units_sold"}, wide);
  EXPECT_EQ(chunk_replicates(wide, units_sold, false, static_cast<long long>(fits)), 3000);
  try {
    (void)chunk_replicates(wide, units_sold, false, 100000);
    ADD_FAILURE() << "a chunk of 3,000 replicates of units_sold was accepted";
  } catch (const BadRequest& e) {
    EXPECT_EQ(std::string(e.what()),
              "--set#1:1:25: output.chunk_replicates: a chunk of 3000 replicates of units_sold "
              "would hold 5134.6 MiB, more than HDF5 allows in one chunk (4 GiB); expected at "
              "most " +
                  std::to_string(fits) +
                  ", or leave it unset and chipsim chooses (docs/OUTPUT.md, \"Chunks\")");
  }
  // Stored as float32, a chunk is half as large; left out of the file, it has no chunk.
  EXPECT_EQ(chunk_replicates(wide, units_sold, true, 100000), 3000);
  EXPECT_EQ(chunk_replicates(wide, select_variables({"price"}, wide), false, 100000), 3000);
  EXPECT_EQ(chunk_replicates(wide, {}, false, 100000), 3000);
}

TEST(OutputWriter, AFileItCannotBuildIsNotLeftBehind) {
  // The CLI refuses this chunk before any work; the writer, asked directly, fails inside HDF5
  // while building the skeleton, which must then be removed, not left for a later run.
  const Scenario wide = load_scenario_text(test::mini_with_products(2000), "wide.toml");
  test::TempDir dir;
  const std::string path = dir.file("w.h5.partial");
  OutputInfo info;
  info.replicates = 10000;
  OutputOptions options;
  options.variables = {"units_sold"};
  options.chunk_replicates = 3000;
  EXPECT_THROW((void)OutputWriter::create(path, wide, info, options), IoError);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".creating"));
  EXPECT_TRUE(std::filesystem::is_empty(dir.file("")));
}

// A file (found by fuzz_hdf5) whose only variable, price, claims about 110 billion values in
// 2,916 stored bytes: read_dataset refuses it instead of allocating 882 GB (which aborted the
// fuzzer under ASan, and would throw std::bad_alloc in a Release build).
TEST(ReadDataset, AShapeBeyondWhatTheDatasetStoresIsReportedAsDamage) {
  const std::string path =
      std::string(CHIPSIM_SOURCE_DIR) + "/tests/fuzz/regressions/hdf5-dataset-shape-beyond-storage";
  std::vector<std::uint64_t> shape;
  try {
    (void)read_dataset(path, "price", shape);
    FAIL() << "read_dataset accepted the damaged shape";
  } catch (const IoError& e) {
    EXPECT_EQ(std::string(e.what()), "'" + path +
                                         "' is damaged: dataset price claims more values than "
                                         "its 2916 stored bytes can hold");
  }
}

// A file (found by fuzz_hdf5) whose root group's header continues in a block said to hold
// 20 GB: HDF5 would allocate that much while opening the file (an out-of-memory abort under
// ASan), so the header is followed from the superblock before HDF5 opens the file.
// A second (fuzz smoke of part 9): a continuation message in the root header's third block
// states a size of less than the 16 bytes HDF5 decodes from it, which hid its 4 GB length
// from the walk.
TEST(DescribeFile, ARootHeaderClaimingAHugeBlockIsReportedAsDamage) {
  for (const char* name :
       {"hdf5-root-header-continuation-length", "hdf5-continuation-message-size"}) {
    const std::string path = std::string(CHIPSIM_SOURCE_DIR) + "/tests/fuzz/regressions/" + name;
    try {
      (void)describe_file(path);
      ADD_FAILURE() << "describe_file opened the damaged file " << name;
    } catch (const IoError& e) {
      EXPECT_EQ(std::string(e.what()),
                "'" + path + "' is damaged: the root group's header cannot be followed");
    }
  }
}

}  // namespace
}  // namespace chipsim::io
