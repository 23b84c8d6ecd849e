#pragma once
// What the benchmark's C++ peers share: the page list they fetch, the organization id,
// page latencies, and the one JSON line of results each prints for throughput_report.

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace peer {

using clock_type = std::chrono::steady_clock;

struct page_ref {
  std::string schedule_id;
  std::int64_t offset = 0;
};

// DATA_DIR/pages-{page_size}.txt, written by page_files.
inline std::vector<page_ref> read_pages(const std::string& data_dir, std::int64_t page_size) {
  const std::string path = data_dir + "/pages-" + std::to_string(page_size) + ".txt";
  std::ifstream in(path);
  std::vector<page_ref> pages;
  page_ref page;
  while (in >> page.schedule_id >> page.offset) pages.push_back(page);
  if (pages.empty()) throw std::runtime_error("no pages in " + path);
  return pages;
}

inline std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  if (lines.empty()) throw std::runtime_error("nothing in " + path);
  return lines;
}

inline boost::json::object read_meta(const std::string& data_dir) {
  std::ifstream in(data_dir + "/meta.json");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return boost::json::parse(text).as_object();
}

// Page latencies, from the request's start to the decoded page.
class latencies {
 public:
  explicit latencies(std::size_t expected) { ms_.reserve(expected); }
  void add(clock_type::time_point start) {
    ms_.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - start).count());
  }
  void merge(const latencies& other) { ms_.insert(ms_.end(), other.ms_.begin(), other.ms_.end()); }
  // null when nothing was timed (a walk times no single page).
  boost::json::value percentile(double p) {
    if (ms_.empty()) return nullptr;
    const auto k = static_cast<std::size_t>(p / 100.0 * static_cast<double>(ms_.size() - 1));
    std::nth_element(ms_.begin(), ms_.begin() + static_cast<std::ptrdiff_t>(k), ms_.end());
    return ms_[k];
  }

 private:
  std::vector<double> ms_;
};

inline void print_result(boost::json::object result) {
  std::printf("%s\n", boost::json::serialize(result).c_str());
}

}  // namespace peer
