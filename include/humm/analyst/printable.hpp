#pragma once
// Text from outside the program (a server's answer, a file, an argument) made safe to show
// as one line of a terminal or a log. The client passes every text of error_details through
// it; programs that print other server text (a run's fields, say) can use it too.

#include <string>
#include <string_view>

namespace humm::analyst {

/// `text` as one line of valid UTF-8 that a terminal shows as characters only:
/// - newline, carriage return and tab become `\n`, `\r`, `\t`; other C0 controls and DEL
///   become `\xNN` (so `ESC [2J` shows as `\x1b[2J` and does nothing);
/// - C1 controls, line and paragraph separators and the bidirectional controls that can
///   reorder what a terminal shows become `\u{NNNN}`;
/// - each byte that is not part of valid UTF-8 becomes `\xNN` (always 80 to FF, so it
///   cannot be mistaken for a control character).
/// Everything else, backslashes included, is kept as is.
std::string printable(std::string_view text);

/// The characters printable() escapes: C0 and C1 controls, DEL, line and paragraph
/// separators, and the bidirectional controls. For code that shows server text its own way
/// (a table cell, say) and must keep the same ones out.
bool acts_on_terminal(char32_t c) noexcept;

}  // namespace humm::analyst
