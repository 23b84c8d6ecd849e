#include "net/gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdint>

namespace humm::analyst::detail {

namespace {
constexpr int gzip_window_bits = 15 + 16;  // 15: the largest window; +16: gzip framing, not zlib
}

inflate_status gunzip(std::string_view compressed, std::size_t max_bytes, std::string& out, budget_share* share) {
  budget_share unbudgeted;
  budget_share& held = share ? *share : unbudgeted;
  z_stream stream{};
  if (inflateInit2(&stream, gzip_window_bits) != Z_OK) return inflate_status::corrupt;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  out.clear();
  inflate_status status = inflate_status::corrupt;
  for (;;) {
    const std::size_t before = out.size();
    if (before >= std::min(out.capacity(), max_bytes)) {
      if (before >= max_bytes) {
        status = inflate_status::too_large;  // more output is pending: the stream has not ended
        break;
      }
      const std::size_t more = std::min<std::size_t>(std::max<std::size_t>(compressed.size() * 4, 16384),
                                                     max_bytes - before);
      if (make_room(out, more, max_bytes, held) != growth::ok) {
        status = inflate_status::over_budget;  // too_large cannot be: `more` fits under max_bytes
        break;
      }
    }
    const std::size_t room = std::min<std::size_t>(std::min(out.capacity(), max_bytes) - before, UINT32_MAX);
    out.resize(before + room);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    stream.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&stream, Z_NO_FLUSH);
    out.resize(before + room - stream.avail_out);
    if (rc == Z_STREAM_END) {
      if (stream.avail_in == 0) {
        status = inflate_status::ok;
        break;
      }
      // RFC 1952 allows members one after another; anything else after the end is refused,
      // never dropped.
      if (stream.avail_in >= 2 && stream.next_in[0] == 0x1f && stream.next_in[1] == 0x8b &&
          inflateReset(&stream) == Z_OK)
        continue;
      status = inflate_status::trailing_bytes;
      break;
    }
    // Z_BUF_ERROR with room left: the input ended before the stream did.
    if (rc != Z_OK && !(rc == Z_BUF_ERROR && stream.avail_out == 0)) break;
  }
  inflateEnd(&stream);
  return status;
}

std::string gzip(std::string_view plain) {
  z_stream stream{};
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzip_window_bits, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, static_cast<uLong>(plain.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  stream.avail_in = static_cast<uInt>(plain.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

}  // namespace humm::analyst::detail
