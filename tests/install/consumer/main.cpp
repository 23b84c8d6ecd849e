// An outside project's use of the installed SDK: decode a saved response.
#include <humm/analyst/decode.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  std::ifstream file(argv[1]);
  std::stringstream text;
  text << file.rdbuf();
  auto history = humm::analyst::try_decode<humm::analyst::schedule_history>(text.str());
  if (!history) {
    std::cerr << history.error().message() << '\n';
    return 1;
  }
  if (history->runs.size() != 1 || history->runs[0].status != humm::analyst::run_status::triggered) {
    std::cerr << "unexpected content\n";
    return 1;
  }
  std::cout << "decoded " << history->runs.size() << " run(s) of schedule "
            << humm::analyst::format_uuid(history->schedule.id) << '\n';
  return 0;
}
