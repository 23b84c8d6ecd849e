#pragma once
// Server text made safe before it enters error_details or a decode error: the token
// redacted wherever a server echoes it (a 401's detail, a request id, a quoted value), and
// every text one printable line (printable.hpp). The client's calls pass each failure
// through make_safe once, at the end, so no path can forget it.

#include <humm/analyst/api_error.hpp>

#include <string>
#include <string_view>

namespace humm::analyst::detail {

/// What stands where a secret was.
inline constexpr std::string_view redacted = "[redacted]";

/// A secret's first characters that count as the secret when text was cut in the middle
/// of it (a value quoted and shortened, an excerpt): fewer identify nothing.
inline constexpr std::size_t min_secret_fragment = 8;

/// Replaces every occurrence of `secret` in `text`, and every run of its first
/// min_secret_fragment or more characters; an empty secret changes nothing. For bounded
/// texts (messages, excerpts): it takes up to size × secret length steps.
void redact(std::string& text, std::string_view secret);

/// At most `max_bytes` from the start of `body`, with `secret` redacted, cut at a UTF-8
/// character boundary. Only the start of the body is read.
std::string excerpt(std::string_view body, std::size_t max_bytes, std::string_view secret);

/// A server's text (a request id, a header value) bounded, redacted and made one printable
/// line: excerpt() then printable().
std::string safe_line(std::string_view text, std::size_t max_bytes, std::string_view secret);

/// Redacts `secret` from every text of `details` and makes each one printable line.
void make_safe(error_details& details, std::string_view secret);

}  // namespace humm::analyst::detail
