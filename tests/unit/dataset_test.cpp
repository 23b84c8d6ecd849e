// The fake server's seeded data set (testing/dataset.hpp): reproducible from its seed,
// runs unique and newest first, every status present, pages that tell the total.

#include <humm/analyst/testing/dataset.hpp>

#include <boost/test/unit_test.hpp>

#include <set>

namespace ha = humm::analyst;

BOOST_AUTO_TEST_SUITE(dataset)

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_data) {
  const auto org = ha::testing::make_uuid(3);
  const auto a = ha::testing::make_schedule_data(11, 50, org);
  const auto b = ha::testing::make_schedule_data(11, 50, org);
  const auto c = ha::testing::make_schedule_data(12, 50, org);
  BOOST_TEST((a.schedule == b.schedule));
  BOOST_TEST((a.runs == b.runs));
  BOOST_TEST((a.schedule.id != c.schedule.id));
}

BOOST_AUTO_TEST_CASE(runs_are_unique_newest_first_and_15_minutes_apart) {
  const auto data = ha::testing::make_schedule_data(1, 1000, ha::testing::make_uuid(1));
  std::set<ha::uuid> ids;
  for (std::size_t i = 0; i < data.runs.size(); ++i) {
    ids.insert(data.runs[i].id);
    BOOST_TEST((data.runs[i].schedule_id == data.schedule.id));
    if (i > 0) BOOST_TEST((*data.runs[i - 1].created_at - *data.runs[i].created_at >= std::chrono::minutes{15}));
  }
  BOOST_TEST(ids.size() == data.runs.size());
  BOOST_TEST((data.schedule.last_run_time == data.runs.front().created_at));
}

BOOST_AUTO_TEST_CASE(every_status_and_null_appears) {
  const auto data = ha::testing::make_schedule_data(2, 1000, ha::testing::make_uuid(1));
  std::set<std::string> statuses;
  bool null_email = false, null_thread = false, unicode_summary = false;
  for (const auto& run : data.runs) {
    statuses.insert(std::string(run.status->str()));
    null_email |= !run.user_email;
    null_thread |= !run.thread_id;
    unicode_summary |= run.summary && run.summary->find("\xE5\xA3\xB2") != std::string::npos;  // 売
  }
  BOOST_TEST(statuses.size() == 6u);  // five known ones and one unknown
  BOOST_TEST(null_email);
  BOOST_TEST(null_thread);
  BOOST_TEST(unicode_summary);
}

BOOST_AUTO_TEST_CASE(pages_slice_the_history_and_tell_the_total) {
  const auto data = ha::testing::make_schedule_data(3, 250, ha::testing::make_uuid(1));
  const auto last = ha::testing::make_page(data, 200, 100);
  BOOST_TEST(last.runs.size() == 50u);
  BOOST_TEST((last.runs.front() == data.runs[200]));
  BOOST_TEST((last.pagination.total() == 250));
  BOOST_TEST(ha::testing::make_page(data, 300, 100).runs.empty());
}

BOOST_AUTO_TEST_SUITE_END()
