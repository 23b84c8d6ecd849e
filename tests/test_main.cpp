// The one Boost.Test main of every test program (the module is named once, here).
#define BOOST_TEST_MODULE humm_analyst
#include <boost/test/unit_test.hpp>
