# ccache makes rebuilds of unchanged translation units (Asio, Beast) nearly free.
find_program(HUMM_CCACHE ccache)
if(HUMM_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${HUMM_CCACHE}")
endif()
