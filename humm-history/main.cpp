// humm-history: the command-line tool of the Humm Analyst SDK.

#include "commands.hpp"
#include "text.hpp"

#include <humm/analyst/version.hpp>

#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>
#include <map>

int main(int argc, char** argv) {
  using namespace humm_history;
  // A reader that goes away (`humm-history walk ... | head -1`) must end the walk quietly:
  // writes then fail with EPIPE, which the output notices, instead of killing the process.
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App app{"humm-history: read the run history of Humm Analyst schedules", "humm-history"};
  app.set_version_flag("--version", std::string("humm-history ") + humm::analyst::version);
  app.require_subcommand(1);

  std::map<CLI::App*, command> commands;
  for (auto factory : {add_fetch_command, add_walk_command, add_batch_command, add_run_command, add_decode_command,
                       add_demo_command}) {
    command run = factory(app);
    commands.emplace(app.get_subcommands({}).back(), std::move(run));
  }
  app.footer(
      "Try `humm-history demo`: no token or network needed. `humm-history COMMAND --help` for a command's options.\n"
      "Environment: HUMM_API_TOKEN (or HUMM_PAT) the token; HUMM_BASE_URL the API's address; HTTPS_PROXY (or\n"
      "ALL_PROXY) an HTTP proxy, NO_PROXY the hosts reached without it, as curl reads them.\n"
      "Exit codes: 0 success; 1 a failure worth retrying (network, timeout, deadline, 408, 409, 429, 5xx); 2 usage\n"
      "or bad input, nothing sent; 3 a permanent failure (401, 403, 404, 422 and other 4xx, an untrusted certificate,\n"
      "an answer that cannot be read). A batch exits with its worst failure: 2, then 3, then 1.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << message_line(std::string(e.what()) + " (see --help)") << '\n';
    return bad_input;
  }
  for (auto& [subcommand, run] : commands) {
    if (subcommand->parsed()) return run();
  }
  return bad_input;
}
