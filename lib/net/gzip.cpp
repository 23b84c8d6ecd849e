#include "net/gzip.hpp"

#include <zlib.h>

#include <algorithm>

namespace humm::analyst::detail {

namespace {
constexpr int gzip_window_bits = 15 + 16;  // 15: the largest window; +16: gzip framing, not zlib
}

inflate_status gunzip(std::string_view compressed, std::size_t max_bytes, std::string& out) {
  z_stream stream{};
  if (inflateInit2(&stream, gzip_window_bits) != Z_OK) return inflate_status::corrupt;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  out.clear();
  int rc = Z_OK;
  bool hit_limit = false;
  while (rc == Z_OK) {
    if (out.size() >= max_bytes) {
      hit_limit = true;  // more output is pending: the stream has not ended
      break;
    }
    const std::size_t chunk = std::min<std::size_t>(std::max<std::size_t>(compressed.size() * 4, 16384),
                                                    max_bytes - out.size());
    const std::size_t before = out.size();
    out.resize(before + chunk);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    stream.avail_out = static_cast<uInt>(chunk);
    rc = inflate(&stream, Z_NO_FLUSH);
    out.resize(before + chunk - stream.avail_out);
    if (rc == Z_BUF_ERROR && stream.avail_in == 0) break;  // input ended before the stream did
  }
  inflateEnd(&stream);
  if (rc == Z_STREAM_END) return inflate_status::ok;
  return hit_limit ? inflate_status::too_large : inflate_status::corrupt;
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
