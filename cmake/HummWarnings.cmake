# Warnings for the project's own targets (not for consumers of the installed package).
add_library(humm_warnings INTERFACE)
target_compile_options(humm_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local
                       -Wnon-virtual-dtor -Wimplicit-fallthrough
                       # GCC 12 misreads Asio's coroutine frame allocator (a known false positive).
                       -Wno-mismatched-new-delete)
