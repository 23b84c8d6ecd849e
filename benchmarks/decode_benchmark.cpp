// Decoding cost against the raw parse of the same bytes, side by side in one run:
//   raw:       boost::json::parse(text), the plain call
//   raw_arena: boost::json::parse(text, &monotonic_resource), the fastest DOM parse
//   decode:    humm::analyst::try_decode<schedule_history>(text)  (parse + mapping to models)
// Rounds alternate between the two so that machine noise hits both alike; the best round
// of each is reported. Usage: decode_benchmark [seconds per case, default 2]

#include <humm/analyst/decode.hpp>
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

// Seconds per iteration of `work`, over a batch of `iterations`.
template <class Work>
double seconds_per_iteration(std::size_t iterations, Work&& work) {
  const auto start = clock_type::now();
  for (std::size_t i = 0; i < iterations; ++i) work();
  return std::chrono::duration<double>(clock_type::now() - start).count() / static_cast<double>(iterations);
}

}  // namespace

int main(int argc, char** argv) {
  const double budget = argc > 1 ? std::atof(argv[1]) : 2.0;
  const auto data = ha::testing::make_schedule_data(2026, 1000, ha::testing::make_uuid(1));

  std::printf("%-9s %7s %10s %14s %12s %11s %14s %10s %16s\n", "page_runs", "bytes", "raw_MB/s",
              "raw_arena_MB/s", "decode_MB/s", "raw_runs/s", "decode_runs/s", "ratio_raw", "ratio_raw_arena");
  for (std::size_t runs : {20u, 100u}) {
    const std::string text = boost::json::serialize(boost::json::value_from(ha::testing::make_page(data, 0, runs)));
    std::size_t sink = 0;
    auto raw = [&] { sink += boost::json::parse(text).as_object().size(); };
    auto raw_arena = [&] {
      boost::json::monotonic_resource arena(text.size() * 2);
      sink += boost::json::parse(text, &arena).as_object().size();
    };
    auto decode = [&] {
      auto page = ha::try_decode<ha::schedule_history>(std::string_view(text));
      if (!page) std::abort();
      sink += page->runs.size();
    };

    const std::size_t batch = std::max<std::size_t>(1, static_cast<std::size_t>(2e6 / text.size()));
    double best_raw = 1e9, best_arena = 1e9, best_decode = 1e9;
    const auto end = clock_type::now() + std::chrono::duration<double>(budget);
    while (clock_type::now() < end) {
      best_raw = std::min(best_raw, seconds_per_iteration(batch, raw));
      best_arena = std::min(best_arena, seconds_per_iteration(batch, raw_arena));
      best_decode = std::min(best_decode, seconds_per_iteration(batch, decode));
    }
    const double mb = static_cast<double>(text.size()) / 1e6;
    std::printf("%-9zu %7zu %10.1f %14.1f %12.1f %11.0f %14.0f %10.2f %16.2f\n", runs, text.size(), mb / best_raw,
                mb / best_arena, mb / best_decode, static_cast<double>(runs) / best_raw,
                static_cast<double>(runs) / best_decode, best_decode / best_raw, best_decode / best_arena);
    if (sink == 0) return 1;
  }
  std::printf("ratio_raw = decode time / plain parse time of the same bytes (target: at most 1.4);\n"
              "ratio_raw_arena = decode time / arena parse time (the mapping's own cost shows here)\n");
}
