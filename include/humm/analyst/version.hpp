#pragma once

namespace humm::analyst {

inline constexpr const char* version = "0.1.0";

}  // namespace humm::analyst
