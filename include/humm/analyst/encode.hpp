#pragma once
// Writing models as text without a JSON DOM, the reverse of decode.hpp: JSON (NDJSON is one
// run's JSON and '\n' per line) and runs as CSV rows. Every function appends to a
// std::string, so that a program writes many models into one large buffer and hands it to
// the system in big writes; a buffer that is cleared and reused allocates nothing more.
//
// The JSON is byte for byte boost::json::serialize(boost::json::value_from(model)): keys in
// the order of the model's line in HUMM_ANALYST_FOR_EACH_MODEL (models.hpp), no spaces,
// `null` for an absent member, UTC times ending in `Z`, lowercase UUIDs, strings escaped as
// Boost.JSON does (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other bytes below 0x20 as
// `\u00XX`; every other byte, 0x7F and UTF-8 included, as it is).

#include <humm/analyst/models.hpp>

#include <string>
#include <string_view>

namespace humm::analyst {

// append_json(std::string& out, const M& model) for each model M of HUMM_ANALYST_FOR_EACH_MODEL.
#define HUMM_ANALYST_DECLARE_APPEND_JSON(model, members) void append_json(std::string& out, const model& value);
HUMM_ANALYST_FOR_EACH_MODEL(HUMM_ANALYST_DECLARE_APPEND_JSON)
#undef HUMM_ANALYST_DECLARE_APPEND_JSON

/// Appends the header row of append_csv_row's columns, ending in CRLF:
/// `schedule_id,id,status,created_at,started_at,completed_at,user_id,user_email,thread_id,`
/// `is_read,read_at,is_source_run,source_run_id,summary,error_message`.
void append_csv_header(std::string& out);

/// Appends one run as an RFC 4180 row ending in CRLF: an absent member is an empty field,
/// times and UUIDs as in JSON, booleans `true`/`false`, text quoted when append_csv_field says.
void append_csv_row(std::string& out, const command_run& run);

/// Appends `text` as one RFC 4180 field: as it is, or between double quotes (a quote doubled)
/// when it holds a comma, a double quote, CR or LF.
void append_csv_field(std::string& out, std::string_view text);

}  // namespace humm::analyst
