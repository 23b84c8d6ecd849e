# Warnings for the project's own targets (not for consumers of the installed package).
add_library(humm_warnings INTERFACE)
# GCC-only flags are left out for clang, which builds only the fuzz targets (tests/fuzz/).
target_compile_options(humm_warnings INTERFACE -Wall -Wextra -Wpedantic $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>
                       -Wnon-virtual-dtor -Wimplicit-fallthrough
                       # GCC 12 misreads Asio's coroutine frame allocator (a known false positive).
                       $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>)
