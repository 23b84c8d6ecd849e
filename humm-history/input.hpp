#pragma once
// Reading what the user hands the tool: a file, or standard input for "-".

#include <string>

namespace humm_history {

/// Reads all of `path` ("-" for standard input); on failure returns false with the reason,
/// e.g. "cannot read 'ids.txt': No such file or directory". A UTF-8 byte order mark at the
/// start (editors on Windows write one) is no part of the text and is dropped.
bool read_all(const std::string& path, std::string& text, std::string& why);

/// How a source is named in messages: "<stdin>" for "-", else the path.
std::string source_name(const std::string& path);

}  // namespace humm_history
