// SHA-256 (FIPS 180-4) of a byte string, as 64 lowercase hex digits. Used to fingerprint the
// resolved scenario text written into every output file.
#pragma once

#include <string>
#include <string_view>

namespace chipsim {

[[nodiscard]] std::string sha256_hex(std::string_view data);

}  // namespace chipsim
