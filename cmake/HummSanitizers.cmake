# Sanitized builds of the whole project (a sanitizer has to see every translation unit):
# - HUMM_ANALYST_SANITIZE: ASan + UBSan; UBSan findings abort so that a test fails on them.
# - HUMM_ANALYST_SANITIZE_THREAD: TSan, for the tests that run the client on several threads
#   or cancel it (label `threads`). OpenSSL and Debian's Boost libraries are not
#   instrumented: TSan sees no synchronisation inside them (tests/tsan.supp).
# HUMM_SANITIZER_FLAGS keeps the flags for builds outside this one (the install check's consumer).
if(HUMM_ANALYST_SANITIZE AND HUMM_ANALYST_SANITIZE_THREAD)
  message(FATAL_ERROR "HUMM_ANALYST_SANITIZE and HUMM_ANALYST_SANITIZE_THREAD exclude each other: "
                      "ASan and TSan cannot share a process")
endif()
if(HUMM_ANALYST_SANITIZE)
  set(HUMM_SANITIZER_FLAGS -fsanitize=address,undefined)
  add_compile_options(${HUMM_SANITIZER_FLAGS} -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
else()
  # Asio's reference counts (any_io_executor's shared target, strands) drop with a release
  # decrement and an acquire fence, and TSan does not model fences (GCC warns: -Wtsan): it
  # takes the last owner's delete for a race with the others' decrements. Without
  # std::atomic, Asio counts with Boost's acquire-release decrements, which TSan follows.
  set(HUMM_SANITIZER_FLAGS -fsanitize=thread -DBOOST_ASIO_DISABLE_STD_ATOMIC)
  add_compile_options(${HUMM_SANITIZER_FLAGS} -fno-omit-frame-pointer)
endif()
add_link_options(${HUMM_SANITIZER_FLAGS})
