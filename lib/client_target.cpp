// client::history_target: the target a history request sends, for logs (humm-history -v).
// It is made by the very functions that build the request (sansio/endpoint), so that a log
// line can never differ from what goes on the wire.

#include <humm/analyst/client.hpp>

#include "sansio/endpoint.hpp"

#include <stdexcept>

namespace humm::analyst {

std::string client::history_target(std::string_view schedule_id, const history_query& query) const {
  detail::argument_problem problem;
  // The client parsed base_url when it was made, so this cannot fail here. Parsing it again
  // (rather than reading client::impl's copy) keeps this file apart from the client's
  // internals; a target per log line makes the cost no matter.
  detail::endpoint where;
  uuid id;
  if (!detail::parse_base_url(options().base_url, where, problem) ||
      !detail::check_uuid_argument("schedule_id", schedule_id, id, problem) ||
      !detail::check_history_arguments(query.organization_id, query.limit, query.offset, problem))
    throw std::invalid_argument(problem.message());
  return detail::history_target(where, id, query.organization_id, query.limit, query.offset);
}

}  // namespace humm::analyst
