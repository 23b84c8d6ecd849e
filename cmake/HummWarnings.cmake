# Warnings for the project's own targets (not for consumers of the installed package).
add_library(humm_warnings INTERFACE)
target_compile_options(humm_warnings INTERFACE -Wall -Wextra -Wpedantic
                       -Wnon-virtual-dtor -Wimplicit-fallthrough
                       # GCC's spelling (clang builds only the fuzz targets: tests/fuzz/).
                       $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>
                       # GCC 12 misreads Asio's coroutine frame allocator (a known false positive).
                       $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>)
