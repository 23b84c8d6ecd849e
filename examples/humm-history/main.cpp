// humm-history: the command-line tool of the Humm Analyst SDK.

#include "commands.hpp"

#include <humm/analyst/version.hpp>

#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

int main(int argc, char** argv) {
  using namespace humm_history;
  CLI::App app{"humm-history: read the run history of Humm Analyst schedules", "humm-history"};
  app.set_version_flag("--version", std::string("humm-history ") + humm::analyst::version);
  app.require_subcommand(1);

  std::map<CLI::App*, command> commands;
  auto add = [&](command (*factory)(CLI::App&)) {
    command run = factory(app);
    commands.emplace(app.get_subcommands({}).back(), std::move(run));
  };
  add(add_decode_command);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "humm-history: " << e.what() << " (see --help)\n";
    return bad_input;
  }
  for (auto& [subcommand, run] : commands) {
    if (subcommand->parsed()) return run();
  }
  return bad_input;
}
