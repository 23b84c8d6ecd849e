// Walk the histories of many schedules, 16 at a time; one failure never stops the others.
//   HUMM_API_TOKEN=... batch_histories ORGANIZATION_ID SCHEDULE_ID...

#include <humm/analyst/client.hpp>
#include <humm/analyst/walk_schedules.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <iostream>
#include <map>

namespace asio = boost::asio;
namespace ha = humm::analyst;

asio::awaitable<void> batch(ha::client& client, std::string organization_id, std::vector<std::string> ids) {
  std::map<std::string, std::size_t> failed_runs;
  const ha::walk_options options{.organization_id = organization_id};  // named: see fetch_page.cpp
  const auto results = co_await ha::walk_schedules(
      client, std::move(ids), options, 16,
      [&](const std::string& schedule_id, const ha::command_run& run) {
        if (run.status == ha::run_status::failed) ++failed_runs[schedule_id];
      });
  for (const ha::schedule_walk_result& r : results) {
    if (r.error)
      std::cerr << r.schedule_id << ": " << r.details.message << '\n';
    else
      std::cout << r.schedule_id << ": " << r.stats.runs << " runs, " << failed_runs[r.schedule_id] << " failed\n";
  }
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: batch_histories ORGANIZATION_ID SCHEDULE_ID...\n";
    return 2;
  }
  asio::io_context io;
  ha::client client(io.get_executor(), ha::client_options::from_env());
  asio::co_spawn(io, batch(client, argv[1], std::vector<std::string>(argv + 2, argv + argc)), asio::detached);
  io.run();
}
