// Walk every run of a schedule, newest first, resuming after a failure.
//   HUMM_API_TOKEN=... walk_history SCHEDULE_ID ORGANIZATION_ID [START_OFFSET]

#include <humm/analyst/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace ha = humm::analyst;

asio::awaitable<void> walk(ha::client& client, std::string schedule_id, ha::walk_options options) {
  auto runs = client.history_runs(schedule_id, options);
  try {
    while (auto run = co_await runs.next())
      std::cout << ha::format_uuid(run->id) << ' ' << (run->created_at ? ha::format_timestamp(*run->created_at) : "-")
                << '\n';
    std::cerr << runs.stats().runs << " runs, " << runs.stats().duplicates_skipped << " duplicates skipped\n";
  } catch (const ha::api_error& e) {
    std::cerr << e.what() << "; resume with start offset " << e.details().resume_offset.value_or(0) << '\n';
  }
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: walk_history SCHEDULE_ID ORGANIZATION_ID [START_OFFSET]\n";
    return 2;
  }
  asio::io_context io;
  ha::client client(io.get_executor(), ha::client_options::from_env());
  const ha::walk_options options{.organization_id = argv[2], .start_offset = argc > 3 ? std::atoll(argv[3]) : 0};
  asio::co_spawn(io, walk(client, argv[1], options), asio::detached);
  io.run();
}
