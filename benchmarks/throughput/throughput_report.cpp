// Runs every peer against the same nginx, side by side in one run, and writes the results:
// for each page size and number of connections, each peer in turn (so that machine noise
// hits them alike), `--repeat` rounds. Rates are the median round's; a ratio of ours to a
// peer is the median of the ratios within each round.
//
// Each peer is a process of its own (processes.hpp).
//
// Usage: throughput_report --bin DIR --data DIR --port P --status-port Q --ca FILE --out DIR
//                          --lua wrk_pages.lua [--aiohttp aiohttp_peer.py]
//                          [--connections 1,2,4,8,16,32] [--repeat 5] [--wrk-seconds 3]
//                          [--table-connections 16]
//                          [--humm-history FILE --batch-output FILE [--baseline-humm-history FILE]]
// The aiohttp peer runs only when its script is given (Debian's python3-aiohttp, under
// /usr/bin/python3); humm-history (`batch` into an NDJSON file, cli_peer.hpp) when its
// executable and the file to write are given, and a second build of it (another commit's,
// to compare) when --baseline-humm-history is.
// Writes OUT/throughput.md, OUT/throughput.svg and OUT/throughput.json.

#include "chart.hpp"
#include "cli_peer.hpp"
#include "peer_common.hpp"
#include "processes.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;

namespace {

constexpr std::int64_t page_sizes[] = {20, 100};

struct settings {
  fs::path bin, data, out, lua, aiohttp, humm_history, baseline_humm_history, batch_output;
  std::string ca;
  unsigned short port = 0, status_port = 0;
  std::vector<std::size_t> connections{1, 2, 4, 8, 16, 32};
  std::size_t table_connections = 16;
  int repeat = 5;
  int wrk_seconds = 3;
};

// One run of one peer.
struct measurement {
  std::string client;
  int round = 0;  // peers of one round run back to back
  std::int64_t page_size = 0;
  std::size_t connections = 0;
  double pages = 0, runs = 0, seconds = 0;
  std::optional<double> p50_ms, p99_ms;
  double cpu_seconds = 0;
  long peak_rss_kib = 0;
  long tls_connections = 0;

  double pages_per_second() const { return pages / seconds; }
};

// ---- peers ----------------------------------------------------------------------------

struct peer_command {
  std::string client;
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;
  bool is_wrk = false;
  fs::path output_file;  // humm-history's: it writes there, and its --stats line is read
};

std::string base_url(const settings& s) { return "https://127.0.0.1:" + std::to_string(s.port); }

const std::string cli_batch = "humm-history batch → NDJSON file";
const std::string cli_batch_baseline = cli_batch + ", baseline build";

std::vector<peer_command> peers_for(const settings& s, std::int64_t page_size, std::size_t connections) {
  const std::string size = std::to_string(page_size), conns = std::to_string(connections);
  const std::string humm = (s.bin / "humm_peer").string(), curl = (s.bin / "curl_multi_peer").string();
  const std::string data = s.data.string();
  std::vector<peer_command> peers;
  auto add = [&](std::string client, std::vector<std::string> argv) {
    peers.push_back({std::move(client), std::move(argv), {}, false, {}});
  };
  auto add_cli = [&](std::string client, const fs::path& exe) {
    auto [argv, env] = peer::cli_batch_command(exe.string(), base_url(s), s.ca, data, size, conns);
    peers.push_back({std::move(client), std::move(argv), std::move(env), false, s.batch_output});
  };
  add("humm fetch", {humm, "fetch", base_url(s), s.ca, data, size, conns});
  add("humm fetch, 2 threads", {humm, "fetch", base_url(s), s.ca, data, size, conns, "0", "2"});
  add("humm walk", {humm, "walk", base_url(s), s.ca, data, size, conns});
  if (!s.humm_history.empty()) add_cli(cli_batch, s.humm_history);
  if (!s.baseline_humm_history.empty()) add_cli(cli_batch_baseline, s.baseline_humm_history);
  if (fs::exists(curl)) {
    add("curl multi, example loop", {curl, "example", base_url(s), s.ca, data, size, conns});
    add("curl multi, tuned loop", {curl, "tuned", base_url(s), s.ca, data, size, conns});
  }
  if (!s.aiohttp.empty())
    add("aiohttp (Python)", {"/usr/bin/python3", s.aiohttp.string(), base_url(s), s.ca, data, size, conns});
  peers.push_back({"wrk (raw)",
                   {"wrk", "-t1", "-c" + conns, "-d" + std::to_string(s.wrk_seconds) + "s", "--latency", "-s",
                    s.lua.string(), base_url(s)},
                   {{"WRK_PAGES", (s.data / ("pages-" + size + ".txt")).string()},
                    {"WRK_LIMIT", size},
                    {"WRK_ORGANIZATION", std::string(peer::read_meta(data).at("organization_id").as_string())}},
                   true,
                   {}});
  return peers;
}

double wrk_milliseconds(const std::string& value, const std::string& unit) {
  const double v = std::stod(value);
  if (unit == "us") return v / 1000;
  if (unit == "ms") return v;
  if (unit == "s") return v * 1000;
  return v * 60'000;  // "m"
}

// Reads wrk's text report into a measurement (pages, seconds, latency percentiles).
void read_wrk_report(const std::string& text, measurement& m) {
  std::smatch match;
  if (std::regex_search(text, match, std::regex(R"(Non-2xx or 3xx responses: (\d+))")))
    throw std::runtime_error("wrk got " + match[1].str() + " error responses:\n" + text);
  if (!std::regex_search(text, match, std::regex(R"((\d+) requests in ([\d.]+)(us|ms|s|m),)")))
    throw std::runtime_error("unexpected wrk report:\n" + text);
  m.pages = std::stod(match[1].str());
  m.seconds = wrk_milliseconds(match[2].str(), match[3].str()) / 1000;
  m.runs = m.pages * static_cast<double>(m.page_size);  // wrk does not parse: the nominal count
  if (std::regex_search(text, match, std::regex(R"(\n\s+50%\s+([\d.]+)(us|ms|s|m))")))
    m.p50_ms = wrk_milliseconds(match[1].str(), match[2].str());
  if (std::regex_search(text, match, std::regex(R"(\n\s+99%\s+([\d.]+)(us|ms|s|m))")))
    m.p99_ms = wrk_milliseconds(match[1].str(), match[2].str());
}

// A peer that decoded fewer runs than it fetched pages for did not do the work it reports.
void check_runs(const measurement& m) {
  if (m.runs != m.pages * static_cast<double>(m.page_size))
    throw std::runtime_error(m.client + " decoded " + std::to_string(m.runs) + " runs in " +
                             std::to_string(m.pages) + " pages of " + std::to_string(m.page_size));
}

void read_peer_result(const std::string& text, measurement& m) {
  const auto result = boost::json::parse(text).as_object();
  m.pages = result.at("pages").to_number<double>();
  m.runs = result.at("runs").to_number<double>();
  m.seconds = result.at("seconds").to_number<double>();
  if (!result.at("p50_ms").is_null()) m.p50_ms = result.at("p50_ms").to_number<double>();
  if (!result.at("p99_ms").is_null()) m.p99_ms = result.at("p99_ms").to_number<double>();
  check_runs(m);
}

void read_cli_result(const std::string& stderr_text, const fs::path& output_file, measurement& m) {
  const peer::cli_batch_result cli = peer::read_cli_batch(stderr_text, output_file);
  m.pages = cli.pages;
  m.runs = cli.runs;
  m.seconds = cli.seconds;
  check_runs(m);
}

measurement run_peer(const settings& s, const peer_command& peer, int round, std::int64_t page_size,
                     std::size_t connections) {
  measurement m;
  m.client = peer.client;
  m.round = round;
  m.page_size = page_size;
  m.connections = connections;
  const long accepted_before = peer::accepted_connections(s.status_port);
  const peer::finished_process done = peer::run_process(peer.argv, peer.env, peer.output_file);
  // The status request itself is one accepted connection.
  m.tls_connections = peer::accepted_connections(s.status_port) - accepted_before - 1;
  m.cpu_seconds = peer::cpu_seconds(done.usage);
  m.peak_rss_kib = done.usage.ru_maxrss;
  if (peer.is_wrk) {
    read_wrk_report(done.out, m);
  } else if (!peer.output_file.empty()) {
    read_cli_result(done.out, peer.output_file, m);
  } else {
    read_peer_result(done.out, m);
  }
  return m;
}

// ---- results --------------------------------------------------------------------------

using series_key = std::tuple<std::int64_t, std::size_t, std::string>;  // page size, connections, client

// The run with the median pages/s of each (page size, connections, client).
std::map<series_key, measurement> medians(const std::vector<measurement>& all) {
  std::map<series_key, std::vector<measurement>> groups;
  for (const measurement& m : all) groups[{m.page_size, m.connections, m.client}].push_back(m);
  std::map<series_key, measurement> result;
  for (auto& [key, runs] : groups) {
    std::sort(runs.begin(), runs.end(),
              [](const measurement& a, const measurement& b) { return a.pages_per_second() < b.pages_per_second(); });
    result[key] = runs[runs.size() / 2];
  }
  return result;
}

std::string fixed(double value, int decimals) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(decimals);
  out << value;
  return out.str();
}

std::string optional_ms(const std::optional<double>& ms) { return ms ? fixed(*ms, 2) : "–"; }

struct memory_check {
  long short_walk_kib = 0, long_walk_kib = 0;
  std::size_t long_walk_pages = 0;
};

struct report_input {
  const settings& s;
  const std::vector<measurement>& all;
  const std::map<series_key, measurement>& median;
  std::vector<std::string> clients;  // in the order peers run
  memory_check memory;
  std::string machine;
};

const measurement* find(const report_input& in, std::int64_t size, std::size_t conns, const std::string& client) {
  const auto it = in.median.find({size, conns, client});
  return it == in.median.end() ? nullptr : &it->second;
}

// Ours against a peer: the median of the per-round ratios of pages/s. The peers of a round
// run back to back, so a slow spell of the (shared, noisy) machine tends to hit both sides
// of a ratio alike.
std::optional<double> paired_ratio(const report_input& in, std::int64_t size, std::size_t conns,
                                   const std::string& ours, const std::string& peer) {
  std::map<int, double> our_rate, peer_rate;
  for (const measurement& m : in.all) {
    if (m.page_size != size || m.connections != conns) continue;
    if (m.client == ours) our_rate[m.round] = m.pages_per_second();
    if (m.client == peer) peer_rate[m.round] = m.pages_per_second();
  }
  std::vector<double> ratios;
  for (const auto& [round, rate] : our_rate)
    if (const auto other = peer_rate.find(round); other != peer_rate.end()) ratios.push_back(rate / other->second);
  if (ratios.empty()) return std::nullopt;
  std::sort(ratios.begin(), ratios.end());
  const std::size_t mid = ratios.size() / 2;
  return ratios.size() % 2 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2;
}

std::string ratio_text(std::optional<double> ratio) { return ratio ? fixed(*ratio, 2) + "×" : "–"; }

std::string markdown(const report_input& in) {
  const boost::json::object meta = peer::read_meta(in.s.data.string());
  std::ostringstream md;
  const std::size_t c = in.s.table_connections;
  md << "Measured " << in.machine << ". " << in.s.repeat
     << " rounds, each running every peer in turn: rates are the median round's; ratios are the median of the "
        "ratios within each round.\n\n";
  md << "### " << c << " keep-alive TLS connections\n\n";
  md << "| Page | Client | pages/s | runs/s | MB/s | p50 ms | p99 ms | CPU s per 1,000 pages | peak RSS MiB | TLS "
        "connections | humm fetch ÷ client |\n";
  md << "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const std::int64_t size : page_sizes) {
    const double body = meta.at("mean_body_bytes_" + std::to_string(size)).to_number<double>();
    for (const std::string& client : in.clients) {
      const measurement* m = find(in, size, c, client);
      if (!m) continue;
      const double rate = m->pages_per_second();
      md << "| " << size << " runs | " << client << " | " << fixed(rate, 0) << " | " << fixed(m->runs / m->seconds, 0)
         << " | " << fixed(rate * body / 1e6, 1) << " | " << optional_ms(m->p50_ms) << " | " << optional_ms(m->p99_ms)
         << " | " << fixed(m->cpu_seconds / m->pages * 1000, 3) << " | " << fixed(m->peak_rss_kib / 1024.0, 1)
         << " | " << m->tls_connections << " | " << ratio_text(paired_ratio(in, size, c, "humm fetch", client))
         << " |\n";
    }
  }

  md << "\n### Pages/s by number of connections\n\n| Page | Client |";
  for (std::size_t conns : in.s.connections) md << ' ' << conns << " |";
  md << "\n|---|---|";
  for (std::size_t i = 0; i < in.s.connections.size(); ++i) md << "---:|";
  md << '\n';
  for (const std::int64_t size : page_sizes)
    for (const std::string& client : in.clients) {
      md << "| " << size << " runs | " << client << " |";
      for (std::size_t conns : in.s.connections) {
        const measurement* m = find(in, size, conns, client);
        md << ' ' << (m ? fixed(m->pages_per_second(), 0) : "–") << " |";
      }
      md << '\n';
    }

  md << "\n### Targets\n\n| Target | Measured | Met |\n|---|---:|:---:|\n";
  auto target = [&](const std::string& what, std::optional<double> value, double bound, bool at_most,
                    const std::string& unit) {
    const bool met = value && (at_most ? *value <= bound : *value >= bound);
    // A third decimal where two would show a miss as the bound itself (0.497 as 0.50).
    const int decimals = unit.empty() ? 0 : value && fixed(*value, 2) == fixed(bound, 2) && !met ? 3 : 2;
    md << "| " << what << " | " << (value ? fixed(*value, decimals) + unit : "–") << " | "
       << (met ? "yes" : "**no**") << " |\n";
  };
  auto rate_ratio = [&](std::int64_t size, const std::string& ours, const std::string& peer) {
    return paired_ratio(in, size, c, ours, peer);
  };
  const std::string at = ", " + std::to_string(c) + " connections: ";
  for (const char* ours : {"humm fetch", "humm fetch, 2 threads"}) {
    for (const char* curl : {"curl multi, tuned loop", "curl multi, example loop"}) {
      target("20-run pages" + at + ours + " ≥ 2 × " + curl, rate_ratio(20, ours, curl), 2.0, false, "×");
      target("100-run pages" + at + ours + " ≥ 1.3 × " + curl, rate_ratio(100, ours, curl), 1.3, false, "×");
    }
    target("20-run pages" + at + ours + " ≥ 0.5 × wrk (raw)", rate_ratio(20, ours, "wrk (raw)"), 0.5, false, "×");
  }
  // The tool writes every run it walks: it should keep most of the library's speed.
  if (find(in, 20, c, cli_batch)) {
    for (const std::int64_t size : page_sizes)
      target(std::to_string(size) + "-run pages" + at + cli_batch + " ≥ 0.8 × humm walk",
             rate_ratio(size, cli_batch, "humm walk"), 0.8, false, "×");
    for (const char* curl : {"curl multi, tuned loop", "curl multi, example loop"}) {
      target("20-run pages" + at + cli_batch + " ≥ 2 × " + curl, rate_ratio(20, cli_batch, curl), 2.0, false, "×");
      target("100-run pages" + at + cli_batch + " ≥ 1.3 × " + curl, rate_ratio(100, cli_batch, curl), 1.3, false, "×");
    }
  }
  target("Peak RSS of a " + std::to_string(in.memory.long_walk_pages) + "-page walk ≤ 1.2 × a 10-page walk's (" +
             fixed(in.memory.long_walk_kib / 1024.0, 1) + " against " + fixed(in.memory.short_walk_kib / 1024.0, 1) +
             " MiB)",
         static_cast<double>(in.memory.long_walk_kib) / static_cast<double>(in.memory.short_walk_kib), 1.2, true, "×");
  if (const measurement* batch = find(in, 20, c, "humm walk"))
    target("TLS connections of a batch of " + fixed(batch->pages, 0) + " pages (walk_schedules, max_connections " +
               std::to_string(c) + ") ≤ " + std::to_string(c),
           static_cast<double>(batch->tls_connections), static_cast<double>(c), true, "");
  if (find(in, 20, c, cli_batch_baseline))
    md << "\n" << cli_batch << " against its baseline build (median of the per-round ratios, " << c
       << " connections): " << ratio_text(rate_ratio(20, cli_batch, cli_batch_baseline)) << " on 20-run pages, "
       << ratio_text(rate_ratio(100, cli_batch, cli_batch_baseline)) << " on 100-run pages.\n";
  return md.str();
}

boost::json::array raw_json(const std::vector<measurement>& all) {
  boost::json::array rows;
  for (const measurement& m : all) {
    boost::json::object row{{"client", m.client},       {"page_size", m.page_size},
                            {"connections", m.connections}, {"round", m.round}, {"pages", m.pages},
                            {"runs", m.runs},           {"seconds", m.seconds},
                            {"cpu_seconds", m.cpu_seconds}, {"peak_rss_kib", m.peak_rss_kib},
                            {"tls_connections", m.tls_connections}};
    row["p50_ms"] = m.p50_ms ? boost::json::value(*m.p50_ms) : nullptr;
    row["p99_ms"] = m.p99_ms ? boost::json::value(*m.p99_ms) : nullptr;
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string chart_svg(const report_input& in) {
  std::vector<chart::panel> panels;
  for (const std::int64_t size : page_sizes) {
    chart::panel panel;
    panel.title = std::to_string(size) + "-run pages";
    for (const std::string& client : in.clients) {
      chart::series line;
      line.name = client;
      for (std::size_t conns : in.s.connections)
        if (const measurement* m = find(in, size, conns, client))
          line.points.push_back({static_cast<double>(conns), m->pages_per_second()});
      panel.lines.push_back(std::move(line));
    }
    panels.push_back(std::move(panel));
  }
  return chart::render(panels, "connections", "pages/s");
}

std::string machine_description() {
  std::string cpu = "unknown CPU";
  std::ifstream info("/proc/cpuinfo");
  for (std::string line; std::getline(info, line);)
    if (line.rfind("model name", 0) == 0) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  return "on " + std::to_string(sysconf(_SC_NPROCESSORS_ONLN)) + " cores (" + cpu + "), nginx with one worker, all on 127.0.0.1";
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

settings parse_arguments(int argc, char** argv) {
  settings s;
  auto numbers = [](const std::string& text) {
    std::vector<std::size_t> out;
    std::istringstream in(text);
    for (std::string item; std::getline(in, item, ',');) out.push_back(std::stoul(item));
    return out;
  };
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--bin") s.bin = value;
    else if (key == "--data") s.data = value;
    else if (key == "--out") s.out = value;
    else if (key == "--lua") s.lua = value;
    else if (key == "--aiohttp") s.aiohttp = value;
    else if (key == "--humm-history") s.humm_history = value;
    else if (key == "--baseline-humm-history") s.baseline_humm_history = value;
    else if (key == "--batch-output") s.batch_output = value;
    else if (key == "--ca") s.ca = value;
    else if (key == "--port") s.port = static_cast<unsigned short>(std::stoul(value));
    else if (key == "--status-port") s.status_port = static_cast<unsigned short>(std::stoul(value));
    else if (key == "--connections") s.connections = numbers(value);
    else if (key == "--table-connections") s.table_connections = std::stoul(value);
    else if (key == "--repeat") s.repeat = std::stoi(value);
    else if (key == "--wrk-seconds") s.wrk_seconds = std::stoi(value);
    else throw std::invalid_argument("unknown option " + key);
  }
  if (s.bin.empty() || s.data.empty() || s.out.empty() || s.ca.empty() || s.lua.empty() || s.port == 0 ||
      s.status_port == 0)
    throw std::invalid_argument("--bin, --data, --out, --ca, --lua, --port and --status-port are required");
  if ((!s.humm_history.empty() || !s.baseline_humm_history.empty()) && s.batch_output.empty())
    throw std::invalid_argument("--humm-history and --baseline-humm-history need --batch-output");
  return s;
}

}  // namespace

int main(int argc, char** argv) try {
  const settings s = parse_arguments(argc, argv);
  std::vector<measurement> all;
  std::vector<std::string> clients;
  for (const std::int64_t size : page_sizes)
    for (const std::size_t conns : s.connections)
      for (int round = 0; round < s.repeat; ++round)
        for (const peer_command& peer : peers_for(s, size, conns)) {
          all.push_back(run_peer(s, peer, round, size, conns));
          const measurement& m = all.back();
          if (std::find(clients.begin(), clients.end(), m.client) == clients.end()) clients.push_back(m.client);
          std::cerr << size << "-run pages, " << conns << " connections, " << m.client << ": "
                    << fixed(m.pages_per_second(), 0) << " pages/s, " << m.tls_connections << " TLS connections\n";
        }

  // Peak memory of a long walk against a short one, alternating, the largest of each.
  memory_check memory;
  memory.long_walk_pages = peer::read_meta(s.data.string()).at("long_walk_pages").to_number<std::size_t>();
  for (int round = 0; round < s.repeat; ++round)
    for (const std::size_t pages : {std::size_t{10}, memory.long_walk_pages}) {
      const auto done = peer::run_process({(s.bin / "humm_peer").string(), "long-walk", base_url(s), s.ca, s.data.string(),
                                     "20", "1", std::to_string(pages)});
      long& peak = pages == 10 ? memory.short_walk_kib : memory.long_walk_kib;
      peak = std::max(peak, done.usage.ru_maxrss);
    }

  const auto median = medians(all);
  const report_input input{s, all, median, clients, memory, machine_description()};
  fs::create_directories(s.out);
  const std::string table = markdown(input);
  write_file(s.out / "throughput.md", table);
  write_file(s.out / "throughput.svg", chart_svg(input));
  write_file(s.out / "throughput.json", boost::json::serialize(raw_json(all)) + "\n");
  std::cout << table;
  return 0;
} catch (const std::exception& e) {
  std::cerr << "throughput_report: " << e.what() << '\n';
  return 1;
}
