// Fetch one page of a schedule's run history with the awaitable API.
//   HUMM_API_TOKEN=... fetch_page SCHEDULE_ID ORGANIZATION_ID

#include <humm/analyst/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace ha = humm::analyst;

asio::awaitable<void> show_page(ha::client& client, std::string schedule_id, std::string organization_id) {
  try {
    // A named query: GCC 12 destroys a braced temporary inside a co_await expression twice.
    const ha::history_query query{.organization_id = organization_id, .limit = 10};
    ha::schedule_history page = co_await client.get_schedule_history(schedule_id, query);
    for (const ha::command_run& run : page.runs)
      std::cout << ha::format_uuid(run.id) << ' ' << (run.status ? run.status->str() : "-") << '\n';
  } catch (const ha::api_error& e) {
    std::cerr << e.what() << '\n';  // e.g. "GET /reports/schedules/.../runs: HTTP 404: Schedule not found"
  }
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fetch_page SCHEDULE_ID ORGANIZATION_ID\n";
    return 2;
  }
  asio::io_context io;
  ha::client client(io.get_executor(), ha::client_options::from_env());
  asio::co_spawn(io, show_page(client, argv[1], argv[2]), asio::detached);
  io.run();
}
