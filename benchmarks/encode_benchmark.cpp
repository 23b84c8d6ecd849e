// Writing runs as text, the DOM-free writer against the DOM, side by side in one run:
//   dom:    boost::json::serialize(boost::json::value_from(run)) appended to a buffer
//   writer: humm::analyst::append_json(buffer, run)     (the same bytes, encode.hpp)
//   csv:    humm::analyst::append_csv_row(buffer, run)
// Each writes the 1,000 runs of a data set as NDJSON (or CSV) into one buffer that is cleared,
// not freed, between passes, as humm-history's output does. Rounds alternate between the
// cases so that machine noise hits them alike; the best round of each is reported.
// Usage: encode_benchmark [seconds, default 2]

#include <humm/analyst/encode.hpp>
#include <humm/analyst/testing/dataset.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace ha = humm::analyst;
using clock_type = std::chrono::steady_clock;

namespace {

// Seconds per run of one pass of `write_all`.
template <class Write>
double seconds_per_run(std::size_t runs, Write&& write_all) {
  const auto start = clock_type::now();
  write_all();
  return std::chrono::duration<double>(clock_type::now() - start).count() / static_cast<double>(runs);
}

}  // namespace

int main(int argc, char** argv) {
  const double budget = argc > 1 ? std::atof(argv[1]) : 2.0;
  const auto data = ha::testing::make_schedule_data(2026, 1000, ha::testing::make_uuid(1));
  std::string buffer;
  std::size_t bytes = 0;
  auto pass = [&](auto&& write_run) {
    return [&, write_run] {
      buffer.clear();
      for (const ha::command_run& run : data.runs) write_run(run);
      bytes = buffer.size();
    };
  };
  auto dom = pass([&](const ha::command_run& run) {
    buffer += boost::json::serialize(boost::json::value_from(run));
    buffer += '\n';
  });
  auto writer = pass([&](const ha::command_run& run) {
    ha::append_json(buffer, run);
    buffer += '\n';
  });
  auto csv = pass([&](const ha::command_run& run) { ha::append_csv_row(buffer, run); });

  double best_dom = 1e9, best_writer = 1e9, best_csv = 1e9;
  std::size_t ndjson_bytes = 0, csv_bytes = 0;
  const auto end = clock_type::now() + std::chrono::duration<double>(budget);
  while (clock_type::now() < end) {
    best_dom = std::min(best_dom, seconds_per_run(data.runs.size(), dom));
    best_writer = std::min(best_writer, seconds_per_run(data.runs.size(), writer));
    ndjson_bytes = bytes;
    best_csv = std::min(best_csv, seconds_per_run(data.runs.size(), csv));
    csv_bytes = bytes;
  }
  const double run_bytes = static_cast<double>(ndjson_bytes) / static_cast<double>(data.runs.size());
  std::printf("%-7s %11s %12s %8s\n", "case", "runs/s", "ns_per_run", "MB/s");
  std::printf("%-7s %11.0f %12.0f %8.1f\n", "dom", 1 / best_dom, best_dom * 1e9, run_bytes / best_dom / 1e6);
  std::printf("%-7s %11.0f %12.0f %8.1f\n", "writer", 1 / best_writer, best_writer * 1e9,
              run_bytes / best_writer / 1e6);
  std::printf("%-7s %11.0f %12.0f %8.1f\n", "csv", 1 / best_csv, best_csv * 1e9,
              static_cast<double>(csv_bytes) / static_cast<double>(data.runs.size()) / best_csv / 1e6);
  std::printf("writer is %.1f times as fast as dom (%.0f bytes of NDJSON per run)\n", best_dom / best_writer,
              run_bytes);
}
