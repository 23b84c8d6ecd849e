// Fuzz target: the HTTP response reader (lib/net/response_reader.hpp) fed arbitrary server
// bytes, as a hostile server would send them. Whatever arrives, reading must end with an
// answer or an error, never a crash; an answer is a final status (200 to 599), its body within the
// cap; every byte charged to the memory budget is given back; and what the response took
// is no more than what came. A broken rule aborts.

#include "net/response_reader.hpp"

#include <cstdio>
#include <cstdlib>

namespace d = humm::analyst::detail;

namespace {

[[noreturn]] void broken(const char* rule) {
  std::fprintf(stderr, "broken rule: %s\n", rule);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // Small limits, so that the fuzzer reaches them: a body cap and a budget below it.
  d::memory_budget budget(48 * 1024);
  d::response_limits limits;
  limits.max_header_bytes = 8 * 1024;
  limits.max_body_bytes = 64 * 1024;
  limits.budget = &budget;
  {
    d::response out;
    d::exchange_error error;
    std::size_t consumed = 0;
    if (d::read_response(bytes, limits, out, error, &consumed)) {
      if (out.status < 200 || out.status > 599) broken("an answer is a final status, 200 to 599");
      if (out.body.size() > limits.max_body_bytes) broken("a body stays within max_body_bytes");
      if (consumed > bytes.size()) broken("a response takes no more than what came");
    } else if (error.message.empty() || !error.code) {
      broken("a failure says what failed");
    }
    if (budget.used() > budget.limit()) broken("the budget is never exceeded");
  }
  if (budget.used() != 0) broken("a destroyed response gives back its budget");
  return 0;
}
