#define BOOST_TEST_MODULE humm_analyst
#include <boost/test/unit_test.hpp>
