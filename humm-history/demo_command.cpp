// humm-history demo: the tool against the embedded fake API, with no token and no network.
// A TLS server on 127.0.0.1 serves a seeded data set; a real client, trusting exactly the
// server's certificate, walks every page of one schedule and prints its runs.

#include "command_context.hpp"
#include "commands.hpp"

#include <humm/analyst/walk.hpp>
#include <humm/analyst/testing/fake_server.hpp>

#include <chrono>
#include <cstdio>
#include <memory>

namespace humm_history {

namespace ha = humm::analyst;
namespace hat = humm::analyst::testing;

namespace {

struct demo_args {
  std::int64_t page_size = 25;
  output_settings output;
};

// The data set: a few schedules of a few hundred runs in all; the first is walked.
constexpr std::size_t demo_runs[] = {120, 100, 80};
constexpr std::uint64_t demo_seed = 5;  // a named weekly schedule

ha::client_options client_options_for(const hat::fake_server& server) {
  ha::client_options options;
  options.base_url = server.base_url();
  options.token = server.options().token;
  options.tls.ca_pem = server.certificate_pem();  // trust exactly the server's certificate
  options.proxy = "";  // the embedded server is reached directly, whatever HTTPS_PROXY says
  return options;
}

std::string summary(const command_context& ctx, double elapsed_s, std::int64_t page_size) {
  const ha::client_stats c = ctx.client.stats();
  char text[512];
  std::snprintf(text, sizeof text,
                "Walked %llu runs in %llu pages of up to %lld: %llu requests over %llu connection%s "
                "(%llu TLS handshake%s), %llu retries, %.*f %s.",
                static_cast<unsigned long long>(ctx.counts.runs), static_cast<unsigned long long>(ctx.counts.pages),
                static_cast<long long>(page_size), static_cast<unsigned long long>(c.requests),
                static_cast<unsigned long long>(c.connections_opened), c.connections_opened == 1 ? "" : "s",
                static_cast<unsigned long long>(c.tls_handshakes), c.tls_handshakes == 1 ? "" : "s",
                static_cast<unsigned long long>(c.retries), elapsed_s < 1 ? 0 : 2,
                elapsed_s < 1 ? elapsed_s * 1000 : elapsed_s, elapsed_s < 1 ? "ms" : "s");
  return text;
}

boost::asio::awaitable<int> demo(command_context& ctx, const demo_args& a, const hat::fake_server& server,
                                 const hat::schedule_data& walked) {
  const auto started = std::chrono::steady_clock::now();
  // In a table, the story goes with the runs; in a data format, it goes to stderr.
  const bool table = ctx.format == output_format::table;
  auto say = [&](const std::string& line) { table ? ctx.out.write(line + '\n') : ctx.status.print(line); };
  auto blank_line = [&] { if (table) ctx.out.write("\n"); };

  std::size_t total_runs = 0;
  for (const std::size_t runs : demo_runs) total_runs += runs;
  say("A fake Humm Analyst API runs at " + server.base_url() +
      " (TLS; its certificate, made at start, is the only one this client trusts).");
  say("It holds " + std::to_string(std::size(demo_runs)) + " schedules and " + std::to_string(total_runs) +
      " runs. Walking every page of one schedule, " + std::to_string(a.page_size) + " runs per request:");
  ha::schedule_history header{walked.schedule, walked.command_name, {}, {}};
  blank_line();
  say(describe_schedule(header));
  blank_line();

  const ha::walk_options options{.organization_id = ha::format_uuid(server.options().organization),
                                 .page_size = a.page_size};
  auto runs = ctx.client.history_runs(ha::format_uuid(walked.schedule.id), options);
  auto writer = make_run_writer(ctx.format, ctx.out, terminal_table_style(false));
  writer->begin();
  while (auto run = co_await runs.next()) {
    writer->run(*run);
    if (ctx.out.stopped()) co_return success;
  }
  writer->finish();
  ctx.count(runs.stats());
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  blank_line();
  say(summary(ctx, elapsed, a.page_size));
  say("On the real API: HUMM_API_TOKEN=... humm-history walk --schedule ID --org ORG");
  co_return success;
}

}  // namespace

command add_demo_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("demo", "Walk a schedule of the embedded fake API: no token or network needed");
  sub->footer(
      "Starts the embedded fake API (TLS on 127.0.0.1, a seeded data set), walks every page of one "
      "schedule with the real client, trusting exactly the server's certificate, and prints its runs "
      "and a summary.");
  auto a = std::make_shared<demo_args>();
  a->output.format = "table";  // the demo is for people: a table even when piped
  add_page_size_option(*sub, a->page_size);
  add_output_options(*sub, a->output, false);

  return [a] {
    hat::fake_server server;
    const hat::schedule_data walked = server.add_schedule(demo_runs[0], demo_seed);
    for (std::size_t i = 1; i < std::size(demo_runs); ++i) server.add_schedule(demo_runs[i], demo_seed + i);
    command_context ctx(client_options_for(server), a->output);
    return ctx.run([&] { return demo(ctx, *a, server, walked); });
  };
}

}  // namespace humm_history
