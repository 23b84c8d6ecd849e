# `cmake --install` puts headers, the library and a package config in a prefix so that
# another project can `find_package(humm_analyst CONFIG REQUIRED)`.
include(CMakePackageConfigHelpers)

set(HUMM_CONFIG_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/humm_analyst")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(TARGETS humm_analyst humm_analyst_testing EXPORT humm_analyst_targets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}")
install(EXPORT humm_analyst_targets NAMESPACE humm:: DESTINATION "${HUMM_CONFIG_DIR}")
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/humm_analyst-config.cmake.in"
                              "${PROJECT_BINARY_DIR}/humm_analyst-config.cmake"
                              INSTALL_DESTINATION "${HUMM_CONFIG_DIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/humm_analyst-config-version.cmake"
                                 COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/humm_analyst-config.cmake"
              "${PROJECT_BINARY_DIR}/humm_analyst-config-version.cmake"
        DESTINATION "${HUMM_CONFIG_DIR}")
