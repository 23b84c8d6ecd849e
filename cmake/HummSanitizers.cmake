# ASan + UBSan for the whole build; UBSan findings abort so that a test fails on them.
add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)
