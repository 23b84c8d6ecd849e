// The proxy decisions of proxy.hpp: parsing a proxy URL, choosing the proxy for a base URL,
// NO_PROXY matching, the CONNECT request and the judgement of the proxy's answer.

#include "sansio/proxy.hpp"

#include "sansio/safe_text.hpp"

#include <humm/analyst/error.hpp>
#include <humm/analyst/printable.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/url/grammar/ci_string.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <initializer_list>

namespace humm::analyst::detail {

namespace {

namespace ip = boost::asio::ip;

bool reject(argument_problem& problem, std::string_view source, std::string reason) {
  problem = {std::string(source), std::move(reason)};
  return false;
}

std::string_view trim_space(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::optional<ip::address> ip_literal(std::string_view text) {
  boost::system::error_code ec;
  const auto address = ip::make_address(text, ec);
  if (ec) return std::nullopt;
  return address;
}

// host:port, an IPv6 literal in brackets (as CONNECT, Host and messages write it).
std::string authority_of(std::string_view host, std::string_view port) {
  const bool v6 = host.find(':') != std::string_view::npos;
  return (v6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::string(port);
}

bool is_port(std::string_view text) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && ec == std::errc{} && end == text.data() + text.size() && value >= 1 && value <= 65535;
}

// Why a scheme other than http:// cannot be used, said so that the fix is plain.
std::string refused_scheme(std::string_view scheme) {
  const auto is = [scheme](std::string_view name) { return boost::urls::grammar::ci_is_equal(scheme, name); };
  if (is("https"))
    return "https:// proxies (TLS to the proxy) are not supported: give the proxy as http://host:port (the tunnel "
           "to the API still carries TLS)";
  if (is("socks4") || is("socks4a") || is("socks5") || is("socks5h"))
    return "SOCKS proxies are not supported: give an HTTP proxy as http://host:port";
  // Not quoted: in "user:pa://ss@host" what parses as the scheme is a user name.
  return "the scheme must be http:// (the value is not shown: it may hold a password)";
}

// Entries of a NO_PROXY list: separated by commas or white space.
template <class F>
void for_each_entry(std::string_view list, F&& f) {
  constexpr std::string_view separators = ", \t\r\n";
  for (std::size_t at = list.find_first_not_of(separators); at != std::string_view::npos;) {
    const std::size_t end = list.find_first_of(separators, at);
    if (f(list.substr(at, end == std::string_view::npos ? end : end - at))) return;
    at = end == std::string_view::npos ? end : list.find_first_not_of(separators, end);
  }
}

// Whether the first `bits` bits of two addresses of one family agree.
bool same_prefix(const ip::address& a, const ip::address& b, unsigned bits) {
  if (a.is_v4() != b.is_v4()) return false;
  const auto bytes_of = [](const ip::address& x) {
    std::array<unsigned char, 16> bytes{};
    if (x.is_v4()) {
      const auto v4 = x.to_v4().to_bytes();
      std::copy(v4.begin(), v4.end(), bytes.begin());
    } else {
      bytes = x.to_v6().to_bytes();
    }
    return bytes;
  };
  const auto x = bytes_of(a), y = bytes_of(b);
  for (unsigned i = 0; i < bits / 8; ++i)
    if (x[i] != y[i]) return false;
  if (const unsigned rest = bits % 8) {
    const auto mask = static_cast<unsigned char>(0xFF << (8 - rest));
    if ((x[bits / 8] & mask) != (y[bits / 8] & mask)) return false;
  }
  return true;
}

// `10.0.0.0/8`, `fd00::/8`: whether `host` lies within. A block that does not parse matches nothing.
bool within_block(const ip::address& host, std::string_view block) {
  const auto slash = block.find('/');
  const auto network = ip_literal(block.substr(0, slash));
  unsigned bits = 0;
  const std::string_view length = block.substr(slash + 1);
  const auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), bits);
  if (!network || length.empty() || ec != std::errc{} || end != length.data() + length.size()) return false;
  if (bits > (network->is_v4() ? 32u : 128u)) return false;
  return same_prefix(host, *network, bits);
}

bool ends_with_label(std::string_view host, std::string_view name) {
  if (host.size() == name.size()) return boost::urls::grammar::ci_is_equal(host, name);
  return host.size() > name.size() && host[host.size() - name.size() - 1] == '.' &&
         boost::urls::grammar::ci_is_equal(host.substr(host.size() - name.size()), name);
}

std::string base64(std::string_view bytes) {
  static constexpr char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t group = 0;
    for (std::size_t k = 0; k < 3; ++k)
      group = (group << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    for (std::size_t k = 0; k < 4; ++k) out += k <= n ? digits[(group >> (18 - 6 * k)) & 0x3F] : '=';
  }
  return out;
}

std::string user_and_password(const proxy_endpoint& proxy) {
  return proxy.user ? *proxy.user + ":" + proxy.password : std::string();
}

// The proxy's own text (a reason phrase), bounded, printable, and without the credentials
// the request carried, in any form the proxy could echo them.
std::string proxy_text(const proxy_endpoint& proxy, std::string_view text) {
  std::string shown = excerpt(text, max_reason_bytes, proxy.password);
  if (proxy.user) {
    redact(shown, user_and_password(proxy));
    redact(shown, base64(user_and_password(proxy)));
    if (proxy.password.empty()) redact(shown, *proxy.user);  // then the user name is the secret
  }
  return printable(shown);
}

}  // namespace

bool parse_proxy_url(std::string_view text, std::string_view source, proxy_endpoint& out, argument_problem& problem) {
  text = trim_space(text);
  // curl's reading: no scheme means http://.
  const std::string url_text = text.find("://") == std::string_view::npos ? "http://" + std::string(text) : std::string(text);
  auto parsed = boost::urls::parse_absolute_uri(url_text);
  const std::string form = "expected http://[user:password@]host[:port]";
  if (!parsed)
    return reject(problem, source, "not a proxy URL: " + form + " (the value is not shown: it may hold a password)");
  const boost::urls::url_view& url = *parsed;
  if (!boost::urls::grammar::ci_is_equal(url.scheme(), "http")) return reject(problem, source, refused_scheme(url.scheme()));
  if (url.host().empty() || url.host_type() == boost::urls::host_type::ipvfuture)
    return reject(problem, source, "has no host: " + form);
  if ((url.encoded_path() != "" && url.encoded_path() != "/") || url.has_query() || url.has_fragment())
    return reject(problem, source, "must not have a path, query or fragment: " + form);

  proxy_endpoint result;
  result.host = url.host_address();
  if (std::any_of(result.host.begin(), result.host.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
    return reject(problem, source, "the host holds a control character or space once percent-decoded");
  result.port = url.has_port() && !url.port().empty() ? std::string(url.port()) : std::string(default_proxy_port);
  if (!is_port(result.port)) return reject(problem, source, "the port must be a number from 1 to 65535");
  result.authority = authority_of(result.host, result.port);
  if (url.has_userinfo()) {
    result.user = url.user();
    result.password = url.password();
  }
  out = std::move(result);
  return true;
}

bool bypasses_proxy(std::string_view host, std::string_view no_proxy) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);  // "example.com." is example.com
  const auto host_ip = ip_literal(host);
  bool bypass = false;
  for_each_entry(no_proxy, [&](std::string_view entry) {
    if (entry == "*") return bypass = true;
    if (entry.size() > 2 && entry.front() == '[' && entry.back() == ']') entry = entry.substr(1, entry.size() - 2);
    if (entry.find('/') != std::string_view::npos) return bypass = host_ip && within_block(*host_ip, entry);
    if (const auto entry_ip = ip_literal(entry)) return bypass = host_ip && *host_ip == *entry_ip;
    while (!entry.empty() && entry.front() == '.') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == '.') entry.remove_suffix(1);
    return bypass = !host_ip && !entry.empty() && ends_with_label(host, entry);
  });
  return bypass;
}

bool choose_proxy(const endpoint& origin, bool clear_text_allowed, const std::optional<std::string>& proxy,
                  const std::optional<std::string>& no_proxy, const environment_lookup& environment,
                  std::optional<proxy_endpoint>& out, argument_problem& problem) {
  out.reset();
  // The first variable of `names` that holds more than white space, and its name.
  const auto first_set = [&environment](std::initializer_list<const char*> names, std::string& value) -> const char* {
    for (const char* name : names) {
      const auto found = environment(name);
      if (found && !trim_space(*found).empty()) {
        value = *found;
        return name;
      }
    }
    return nullptr;
  };
  std::string text;
  const char* source = "proxy";
  if (proxy) {
    text = *proxy;
  } else {
    source = origin.tls ? first_set({"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}, text)
                        : first_set({"http_proxy", "all_proxy", "ALL_PROXY"}, text);
  }
  if (!source || trim_space(text).empty()) return true;  // none given, or "" for none
  if (!origin.tls && !clear_text_allowed) {
    if (!proxy) return true;  // the environment's proxy is for the network; this origin is loopback
    return reject(problem, "proxy",
                  "a plain http:// base URL is not sent through a proxy: the proxy would read the token in clear "
                  "text (allow_insecure_http allows it)");
  }

  proxy_endpoint chosen;
  if (!parse_proxy_url(text, source, chosen, problem)) return false;
  std::string bypassed;
  if (no_proxy)
    bypassed = *no_proxy;
  else
    first_set({"no_proxy", "NO_PROXY"}, bypassed);
  if (!bypasses_proxy(origin.host, bypassed)) out = std::move(chosen);
  return true;
}

proxy_route route_through(const proxy_endpoint& proxy, const endpoint& origin, std::string_view user_agent) {
  proxy_route route{proxy, authority_of(origin.host, origin.port), {}};
  std::string& bytes = route.connect_request;
  bytes.append("CONNECT ").append(route.origin).append(" HTTP/1.1\r\nHost: ").append(route.origin).append("\r\n");
  if (proxy.user) bytes.append("Proxy-Authorization: Basic ").append(base64(user_and_password(proxy))).append("\r\n");
  bytes.append("User-Agent: ").append(user_agent).append("\r\n\r\n");
  return route;
}

std::optional<tunnel_failure> judge_connect_answer(const proxy_route& route, unsigned status, std::string_view reason) {
  if (status >= 200 && status <= 299) return std::nullopt;  // RFC 9110 §9.3.6: any 2xx opens the tunnel
  const std::string said = proxy_text(route.proxy, reason);
  return tunnel_failure{make_error_code(errc::proxy),
                        "proxy " + route.proxy.authority + " refused the tunnel to " + route.origin + ": HTTP " +
                            std::to_string(status) + (said.empty() ? "" : " " + said),
                        status};
}

tunnel_failure describe_tunnel_fault(const proxy_route& route, tunnel_fault fault, std::string_view detail) {
  const std::string proxy = "proxy " + route.proxy.authority;
  const std::string because = detail.empty() ? "" : " (" + printable(detail) + ")";
  switch (fault) {
    case tunnel_fault::closed:
      return {make_error_code(errc::connection),
              proxy + " closed the connection before answering the request for a tunnel to " + route.origin + because};
    case tunnel_fault::unreadable:
      return {make_error_code(errc::proxy),
              proxy + " answered the request for a tunnel to " + route.origin + " with something other than HTTP" +
                  because};
    case tunnel_fault::too_long:
      return {make_error_code(errc::proxy), proxy + " answered the request for a tunnel to " + route.origin +
                                                " with a header longer than " +
                                                std::to_string(max_connect_answer_bytes) + " bytes"};
    case tunnel_fault::bytes_after_2xx:
      return {make_error_code(errc::proxy),
              proxy + " sent bytes of its own after opening the tunnel to " + route.origin + ", before the client spoke"};
    case tunnel_fault::send_failed:
      return {make_error_code(errc::connection),
              "sending the request for a tunnel to " + route.origin + " to " + proxy + " failed" + because};
    case tunnel_fault::timed_out:
      return {make_error_code(errc::timeout),
              "timed out waiting for " + proxy + " to open the tunnel to " + route.origin + " (connect_timeout)"};
  }
  return {make_error_code(errc::proxy), proxy + " failed to open the tunnel to " + route.origin};
}

}  // namespace humm::analyst::detail
