// Located error messages for bad input: every problem names file:line:column, the key and
// what was expected. Problems are collected so that one run reports all of them.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace chipsim {

struct SourceLoc {
  std::shared_ptr<const std::string> file;  // null when the value has no source (defaults)
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  [[nodiscard]] bool known() const { return file != nullptr; }
  [[nodiscard]] std::string str() const;  // "file:line:column", or "<default>"
};

struct Diagnostic {
  SourceLoc loc;
  std::string key;      // dotted path of the offending key, e.g. "product.X.price"
  std::string message;  // what was wrong and what was expected
  [[nodiscard]] std::string str() const;  // "file:line:col: error: key: message"
};

class Diagnostics {
 public:
  void error(SourceLoc loc, std::string key, std::string message);
  [[nodiscard]] bool empty() const { return items_.empty(); }
  [[nodiscard]] const std::vector<Diagnostic>& items() const { return items_; }

 private:
  std::vector<Diagnostic> items_;
};

// Thrown by the scenario layer when input is invalid; carries every diagnostic found.
class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(std::vector<Diagnostic> diagnostics);
  [[nodiscard]] const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// The candidate closest to `word` by edit distance, or "" when none is close enough to be a
// plausible misspelling (distance at most max(2, |word| / 3)).
[[nodiscard]] std::string closest_match(std::string_view word,
                                        const std::vector<std::string>& candidates);

// "a, b, c" -- the names a message lists as what was expected.
[[nodiscard]] std::string join_names(const std::vector<std::string>& names);

// " (did you mean 'x'?)" or "" -- for appending to a message.
[[nodiscard]] std::string did_you_mean(std::string_view word,
                                       const std::vector<std::string>& candidates);

}  // namespace chipsim
