// Implements decode.hpp: the decode failure types, and try_decode for text and for parsed
// values. Both feed model_reader (lib/json/), which fills the model from JSON events and holds
// every decoding rule of api/SPEC.md, so the two forms cannot disagree.

#include <humm/analyst/decode.hpp>

#include "json/json_reader.hpp"
#include "json/model_reader.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>

namespace humm::analyst {

std::string decode_failure::message() const { return path.empty() ? reason : path + ": " + reason; }

decode_error::decode_error(decode_failure failure)
    : std::system_error(make_error_code(errc::decode)), failure_(std::move(failure)), what_(failure_.message()) {}

void throw_exception_from_error(const decode_failure& failure, const boost::source_location&) {
  throw decode_error(failure);
}

namespace {

// Syntax errors are told by line and column, counted from 1, of the first byte not accepted.
decode_failure syntax_failure(std::string_view text, std::size_t consumed, const boost::json::error_code& ec) {
  const std::string_view before = text.substr(0, std::min(consumed, text.size()));
  const std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t line_start = before.rfind('\n');
  const std::size_t column = 1 + before.size() - (line_start == std::string_view::npos ? 0 : line_start + 1);
  return {"", "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(column) + ": " +
                  ec.message()};
}

}  // namespace

template <class T>
decode_result<T> try_decode(std::string_view json_text) {
  // The parser's events fill the model directly: no DOM is built in between. The fast
  // reader takes the usual documents; whatever it gives up on, Boost.JSON's parser reads
  // again from the start, and words the error if there is one.
  {
    T result;
    detail::model_reader reader(detail::model_sink(result));
    if (detail::read_json(json_text, reader) && !reader.failed()) return result;
  }
  T result;
  boost::json::parse_options options;
  options.max_depth = detail::model_reader::parser_max_depth;  // the reader fails first, naming the path
  boost::json::basic_parser<detail::model_reader> parser(options, detail::model_sink(result));
  boost::json::error_code ec;
  const std::size_t consumed = parser.write_some(false, json_text.data(), json_text.size(), ec);
  if (!ec && consumed < json_text.size()) ec = boost::json::error::extra_data;
  if (ec == boost::json::error::too_deep && parser.handler().failed()) return parser.handler().take_failure();
  if (ec) return syntax_failure(json_text, consumed, ec);
  if (parser.handler().failed()) return parser.handler().take_failure();
  return result;
}

template <class T>
decode_result<T> try_decode(const boost::json::value& json) {
  // A parsed value is replayed as the parser's events would be, through the same reader.
  T result;
  detail::model_reader reader(detail::model_sink(result));
  detail::replay(json, reader);
  if (reader.failed()) return reader.take_failure();
  return result;
}

#define HUMM_ANALYST_INSTANTIATE_TRY_DECODE(model, members)                       \
  template decode_result<model> try_decode<model>(std::string_view json_text); \
  template decode_result<model> try_decode<model>(const boost::json::value& json);
HUMM_ANALYST_FOR_EACH_MODEL(HUMM_ANALYST_INSTANTIATE_TRY_DECODE)
#undef HUMM_ANALYST_INSTANTIATE_TRY_DECODE

}  // namespace humm::analyst
