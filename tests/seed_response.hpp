#pragma once
// The example response of the API reference page (tests/data/seed_response.json), as text.

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>
#include <string>

namespace humm_test {

inline const std::string seed_response_path = HUMM_TEST_DATA_DIR "/seed_response.json";

inline std::string seed_response_text() {
  std::ifstream file(seed_response_path);
  BOOST_REQUIRE_MESSAGE(file, "cannot open " << seed_response_path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace humm_test
