# ccache makes rebuilds of unchanged translation units (Asio, Beast) nearly free. With the
# source directory as base and the working directory left out of the hash, a fresh clone in
# another folder (as CI makes) hits the cache that an earlier build filled.
find_program(HUMM_CCACHE ccache)
if(HUMM_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER
      "${CMAKE_COMMAND};-E;env;CCACHE_BASEDIR=${PROJECT_SOURCE_DIR};CCACHE_NOHASHDIR=1;${HUMM_CCACHE}")
endif()
