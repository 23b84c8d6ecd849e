// Which executors the client adds strands to (lib/async/strands.hpp).

#include "async/strands.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/test/unit_test.hpp>

namespace asio = boost::asio;
namespace d = humm::analyst::detail;

BOOST_AUTO_TEST_SUITE(executors)

BOOST_AUTO_TEST_CASE(strands_are_recognised_as_serial) {
  asio::io_context io;
  const asio::any_io_executor plain = io.get_executor();
  BOOST_TEST(!d::is_strand(plain));
  BOOST_TEST(d::is_strand(asio::any_io_executor(asio::make_strand(io))));
  BOOST_TEST(d::is_strand(asio::any_io_executor(asio::make_strand(plain))));
}

BOOST_AUTO_TEST_CASE(a_plain_executor_gets_a_new_strand_unless_single_threaded) {
  asio::io_context io;
  const asio::any_io_executor plain = io.get_executor();
  const asio::any_io_executor first = d::serial_executor(plain, false);
  const asio::any_io_executor second = d::serial_executor(plain, false);
  BOOST_TEST(d::is_strand(first));
  BOOST_TEST((first != second));  // a strand of its own for each call or connection
  BOOST_TEST((&first.context() == &io));
  BOOST_TEST((d::serial_executor(plain, true) == plain));
  const asio::any_io_executor strand = asio::make_strand(io);
  BOOST_TEST((d::serial_executor(strand, false) == strand));
  asio::thread_pool pool(1);
  const asio::any_io_executor pooled = pool.get_executor();
  BOOST_TEST(d::is_strand(d::serial_executor(pooled, false)));
}

BOOST_AUTO_TEST_SUITE_END()
