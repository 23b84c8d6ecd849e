# Every dependency is a Debian 12 package; a missing one stops configuration with the
# name of the package that provides it.
function(humm_require_package found package what)
  if(NOT ${found})
    message(FATAL_ERROR "${what} not found: install the Debian package '${package}' "
                        "(sudo apt-get install ${package}), or run scripts/setup.sh")
  endif()
endfunction()

find_package(Boost 1.81 CONFIG QUIET COMPONENTS json url)
humm_require_package(Boost_FOUND "libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev"
                     "Boost 1.81 (headers, Boost.JSON, Boost.URL)")

find_package(OpenSSL 3 QUIET)
humm_require_package(OPENSSL_FOUND libssl-dev "OpenSSL 3")

find_package(ZLIB QUIET)
humm_require_package(ZLIB_FOUND zlib1g-dev "zlib")

find_package(Threads REQUIRED)

if(HUMM_ANALYST_BUILD_TOOLS)
  find_package(Boost 1.81 CONFIG QUIET COMPONENTS unit_test_framework)
  humm_require_package(Boost_UNIT_TEST_FRAMEWORK_FOUND libboost-test1.81-dev "Boost.Test 1.81")
  find_package(CLI11 CONFIG QUIET)
  humm_require_package(CLI11_FOUND libcli11-dev "CLI11")
endif()
