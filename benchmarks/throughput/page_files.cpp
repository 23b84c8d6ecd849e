// Writes the deterministic responses nginx serves in the throughput benchmark: every page of
// every schedule, as files named so that an nginx rule can find them from the request
// alone (DIR/{schedule_id}/{limit}/{offset}.json), plus the lists the peers fetch.
//
// Usage: page_files DIR SCHEDULES RUNS_PER_SCHEDULE LONG_WALK_PAGES
//   DIR/pages-{20,100}.txt   one "schedule_id offset" line per page, in walk order
//   DIR/schedules.txt        the batch schedules' ids
//   DIR/long-walk.txt        one schedule with LONG_WALK_PAGES pages of 20 (the memory check)
//   DIR/meta.json            organization id, run counts and the mean body size per page size

#include <humm/analyst/testing/dataset.hpp>

#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

namespace ha = humm::analyst;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t page_sizes[] = {20, 100};

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Writes every page of `data` at `limit` runs; returns the bytes written.
std::size_t write_pages(const fs::path& dir, const ha::testing::schedule_data& data, std::size_t limit,
                        std::ofstream& list) {
  const std::string id = ha::format_uuid(data.schedule.id);
  const fs::path folder = dir / id / std::to_string(limit);
  fs::create_directories(folder);
  std::size_t bytes = 0;
  for (std::size_t offset = 0; offset < data.runs.size(); offset += limit) {
    const std::string body = boost::json::serialize(boost::json::value_from(ha::testing::make_page(data, offset, limit)));
    write_file(folder / (std::to_string(offset) + ".json"), body);
    bytes += body.size();
    list << id << ' ' << offset << '\n';
  }
  return bytes;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc != 5) {
    std::cerr << "usage: page_files DIR SCHEDULES RUNS_PER_SCHEDULE LONG_WALK_PAGES\n";
    return 2;
  }
  const fs::path dir = argv[1];
  const std::size_t schedules = std::strtoul(argv[2], nullptr, 10);
  const std::size_t runs_per_schedule = std::strtoul(argv[3], nullptr, 10);
  const std::size_t long_walk_pages = std::strtoul(argv[4], nullptr, 10);
  fs::create_directories(dir);
  const ha::uuid organization = ha::testing::make_uuid(1);

  boost::json::object meta{{"organization_id", ha::format_uuid(organization)},
                           {"schedules", schedules},
                           {"runs_per_schedule", runs_per_schedule}};
  std::ofstream lists[] = {std::ofstream(dir / "pages-20.txt"), std::ofstream(dir / "pages-100.txt")};
  std::ofstream ids(dir / "schedules.txt");
  std::size_t bytes[] = {0, 0};
  for (std::size_t s = 0; s < schedules; ++s) {
    const auto data = ha::testing::make_schedule_data(1000 + s, runs_per_schedule, organization);
    ids << ha::format_uuid(data.schedule.id) << '\n';
    for (std::size_t i = 0; i < 2; ++i) bytes[i] += write_pages(dir, data, page_sizes[i], lists[i]);
  }
  for (std::size_t i = 0; i < 2; ++i) {
    const std::size_t pages = schedules * ((runs_per_schedule + page_sizes[i] - 1) / page_sizes[i]);
    meta["mean_body_bytes_" + std::to_string(page_sizes[i])] = static_cast<double>(bytes[i]) / static_cast<double>(pages);
  }

  const auto long_walk = ha::testing::make_schedule_data(7, long_walk_pages * 20, organization);
  std::ofstream long_list(dir / "long-walk-pages.txt");
  write_pages(dir, long_walk, 20, long_list);
  write_file(dir / "long-walk.txt", ha::format_uuid(long_walk.schedule.id) + "\n");
  meta["long_walk_pages"] = long_walk_pages;

  write_file(dir / "meta.json", boost::json::serialize(meta) + "\n");
  return 0;
} catch (const std::exception& e) {
  std::cerr << "page_files: " << e.what() << '\n';
  return 1;
}
