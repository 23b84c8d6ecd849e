// What a batch of walks meets at a rate-limited server: 24 schedules of two pages each,
// walked 8 at a time by one client with its default options (retries included, backoff not
// tuned) against a fake server that allows 10 requests a second, once for each way a server
// states when its window ends. Prints, per form, the schedules completed and failed, the
// requests the client sent, the 429s the server sent and the time taken: how well the
// client's retries (and, once it has them, its pacing) use an allowance it is told about.
//
// Usage: rate_limited_batch [--style delta|unix|ietf|all] [--limit N] [--window-ms MS]
//                           [--schedules N] [--runs N] [--page-size N] [--concurrency N]
// Defaults: all three styles, 10 requests per 1000 ms, 24 schedules of 30 runs, page size
// 20 (2 requests a schedule, 48 in all), concurrency 8.

#include <humm/analyst/client.hpp>
#include <humm/analyst/testing/fake_server.hpp>
#include <humm/analyst/walk_schedules.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <exception>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
namespace ha = humm::analyst;
namespace ht = humm::analyst::testing;

namespace {

struct settings {
  std::vector<ht::rate_limit_style> styles{ht::rate_limit_style::reset_delta_seconds,
                                           ht::rate_limit_style::reset_unix_time, ht::rate_limit_style::ietf_draft};
  std::size_t limit = 10;
  std::chrono::milliseconds window{1000};
  std::size_t schedules = 24;
  std::size_t runs = 30;
  std::size_t page_size = 20;
  std::size_t concurrency = 8;
};

struct figures {
  std::size_t completed = 0;
  std::size_t failed = 0;
  std::uint64_t requests = 0;
  std::uint64_t retries = 0;
  std::size_t too_many_requests = 0;
  double seconds = 0;
  std::map<std::string, std::size_t> failures;  // what went wrong -> schedules
};

constexpr std::string_view usage =
    "usage: rate_limited_batch [--style delta|unix|ietf|all] [--limit N] [--window-ms MS]\n"
    "                          [--schedules N] [--runs N] [--page-size N] [--concurrency N]\n";

const char* style_name(ht::rate_limit_style style) {
  switch (style) {
    case ht::rate_limit_style::reset_delta_seconds: return "X-RateLimit, reset in s";
    case ht::rate_limit_style::reset_unix_time: return "X-RateLimit, reset Unix";
    case ht::rate_limit_style::ietf_draft: return "IETF RateLimit draft";
  }
  return "?";
}

// A whole number of at least 1 (at most `max`), or an error naming the option.
std::size_t positive(std::string_view option, std::string_view text, std::size_t max) {
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value == 0 || value > max)
    throw std::invalid_argument(std::string(option) + " needs a whole number from 1 to " + std::to_string(max) +
                                ", not '" + std::string(text) + "'");
  return value;
}

std::vector<ht::rate_limit_style> styles_named(std::string_view name) {
  if (name == "delta") return {ht::rate_limit_style::reset_delta_seconds};
  if (name == "unix") return {ht::rate_limit_style::reset_unix_time};
  if (name == "ietf") return {ht::rate_limit_style::ietf_draft};
  if (name == "all") return settings{}.styles;
  throw std::invalid_argument("--style is delta, unix, ietf or all, not '" + std::string(name) + "'");
}

settings parse(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string_view option = argv[i];
    if (i + 1 >= argc) throw std::invalid_argument(std::string(option) + " needs a value (or is not an option)");
    const std::string_view value = argv[++i];
    if (option == "--style")
      s.styles = styles_named(value);
    else if (option == "--limit")
      s.limit = positive(option, value, 1'000'000);
    else if (option == "--window-ms")
      s.window = std::chrono::milliseconds{positive(option, value, 3'600'000)};
    else if (option == "--schedules")
      s.schedules = positive(option, value, 100'000);
    else if (option == "--runs")
      s.runs = positive(option, value, 1'000'000);
    else if (option == "--page-size")
      s.page_size = positive(option, value, 100);  // the API's maximum
    else if (option == "--concurrency")
      s.concurrency = positive(option, value, 10'000);
    else
      throw std::invalid_argument("unknown option '" + std::string(option) + "'");
  }
  return s;
}

// One batch against a fresh server (a fresh window and fresh counters) in `style`.
figures run_batch(const settings& s, ht::rate_limit_style style) {
  ht::fake_server_options server_options;
  server_options.rate_limit = {.requests_per_window = s.limit, .window = s.window, .style = style};
  ht::fake_server server(server_options);
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < s.schedules; ++i) ids.push_back(ha::format_uuid(server.add_schedule(s.runs, i + 1).schedule.id));

  asio::io_context io;
  ha::client_options options;  // the defaults, retries and backoff included: what a user gets
  options.base_url = server.base_url();
  options.token = server.options().token;
  options.proxy = "";  // a local server, reached directly whatever HTTPS_PROXY says
  options.tls.ca_pem = server.certificate_pem();
  ha::client client(io.get_executor(), options);
  ha::walk_options walk{.organization_id = ha::format_uuid(server.options().organization),
                        .page_size = static_cast<std::int64_t>(s.page_size)};

  figures f;
  const auto start = std::chrono::steady_clock::now();
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        const auto results = co_await ha::walk_schedules(client, ids, walk, s.concurrency, [](const auto&, const auto&) {});
        // Timed here, not after io.run(): the pool's idle connections may keep it running.
        f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        for (const auto& result : results) {
          if (!result.error) {
            ++f.completed;
          } else {
            ++f.failed;
            // The status and attempts tell a 429 given up on from other trouble.
            std::string reason = result.error.message();
            if (result.details.http_status != 0) reason += ", HTTP " + std::to_string(result.details.http_status);
            reason += " after " + std::to_string(result.details.attempts) + " attempts";
            ++f.failures[reason];
          }
        }
      },
      [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);  // out of io.run(): a bug, not a figure
      });
  io.run();
  const ha::client_stats stats = client.stats();
  f.requests = stats.requests;
  f.retries = stats.retries;
  f.too_many_requests = server.counters().too_many_requests;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  try {
    s = parse(argc, argv);
  } catch (const std::invalid_argument& error) {
    std::fprintf(stderr, "rate_limited_batch: %s\n%.*s", error.what(), static_cast<int>(usage.size()), usage.data());
    return 2;
  }
  const std::size_t pages_each = (s.runs + s.page_size - 1) / s.page_size;
  const std::size_t needed = s.schedules * pages_each;
  // A client that spends every window's allowance and no more: the last window it needs opens
  // (windows - 1) windows after the first request.
  const double floor_seconds =
      static_cast<double>((needed + s.limit - 1) / s.limit - 1) * std::chrono::duration<double>(s.window).count();
  std::printf("rate limit %zu requests / %lld ms; %zu schedules x %zu runs, page size %zu (%zu requests each, %zu in "
              "all); concurrency %zu; at best %.1f s\n",
              s.limit, static_cast<long long>(s.window.count()), s.schedules, s.runs, s.page_size, pages_each, needed,
              s.concurrency, floor_seconds);
  std::printf("%-25s %9s %7s %9s %8s %10s %10s\n", "form", "completed", "failed", "requests", "retries", "429s sent",
              "elapsed s");
  bool consistent = true;
  for (const ht::rate_limit_style style : s.styles) {
    const figures f = run_batch(s, style);
    std::printf("%-25s %9zu %7zu %9llu %8llu %10zu %10.2f\n", style_name(style), f.completed, f.failed,
                static_cast<unsigned long long>(f.requests), static_cast<unsigned long long>(f.retries),
                f.too_many_requests, f.seconds);
    for (const auto& [message, count] : f.failures) std::printf("    %zu failed with: %s\n", count, message.c_str());
    consistent = consistent && f.completed + f.failed == s.schedules;
  }
  return consistent ? 0 : 1;
}
