#pragma once
// UUIDs of the API: the canonical 8-4-4-4-12 hex form on the wire, Boost.UUID in memory.

#include <boost/uuid/uuid.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace humm::analyst {

using uuid = boost::uuids::uuid;

/// Parses exactly the canonical form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, either letter case.
std::optional<uuid> parse_uuid(std::string_view text) noexcept;

/// The canonical lowercase form.
std::string format_uuid(const uuid& id);

}  // namespace humm::analyst
