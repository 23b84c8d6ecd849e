// Redaction and excerpts of server text (safe_text.hpp).

#include "sansio/safe_text.hpp"

#include <humm/analyst/printable.hpp>

#include <algorithm>

namespace humm::analyst::detail {

void redact(std::string& text, std::string_view secret) {
  if (secret.empty()) return;
  const std::size_t enough = std::min(secret.size(), min_secret_fragment);
  for (std::size_t at = 0; at < text.size();) {
    std::size_t same = 0;
    while (same < secret.size() && at + same < text.size() && text[at + same] == secret[same]) ++same;
    if (same >= enough) {
      text.replace(at, same, redacted);
      at += redacted.size();
    } else {
      ++at;
    }
  }
}

std::string excerpt(std::string_view body, std::size_t max_bytes, std::string_view secret) {
  // A secret that starts within the excerpt is redacted whole, even when it runs past it.
  std::string text(body.substr(0, max_bytes + secret.size()));
  redact(text, secret);
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  // Back off over continuation bytes (10xxxxxx) to the start of the character cut in two.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  redact(text, secret);  // the cut may have split a secret that followed a redaction
  return text;
}

std::string safe_line(std::string_view text, std::size_t max_bytes, std::string_view secret) {
  return printable(excerpt(text, max_bytes, secret));
}

void make_safe(error_details& details, std::string_view secret) {
  auto clean = [secret](std::string& text) {
    redact(text, secret);
    text = printable(text);
  };
  clean(details.message);
  clean(details.body_excerpt);
  clean(details.request_id);
  for (validation_issue& issue : details.validation) {
    for (std::string& part : issue.loc) clean(part);
    clean(issue.msg);
    clean(issue.type);
  }
}

}  // namespace humm::analyst::detail
