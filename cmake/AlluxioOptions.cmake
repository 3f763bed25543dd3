# Build options shared by every target: warnings, sanitizers, the asio configuration.

option(ALLUXIO_WERROR "Treat compiler warnings as errors" OFF)
# Fuzzer binaries (tests/fuzz); set by scripts/fuzz for its build-fuzz/ tree.
option(ALLUXIO_FUZZ "Build the fuzzer binaries with AFL++ (scripts/fuzz)" OFF)
set(ALLUXIO_SANITIZE "" CACHE STRING "Sanitizers: '', 'address' (address+undefined) or 'thread'")
set_property(CACHE ALLUXIO_SANITIZE PROPERTY STRINGS "" address thread)

# Every project target links alluxio_build_flags.
add_library(alluxio_build_flags INTERFACE)
target_compile_features(alluxio_build_flags INTERFACE cxx_std_20)
target_compile_options(alluxio_build_flags INTERFACE -Wall -Wextra -Wno-unused-parameter
                                                     -Wno-missing-field-initializers)
# GCC 12 reports false -Wrestrict overlaps inside std::string (GCC bug 105329), notably under
# sanitizers and in coroutines.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(alluxio_build_flags INTERFACE -Wno-restrict)
endif()
if(ALLUXIO_FUZZ)
  # Coverage for AFL++ (tests/fuzz/afl_trace_pc.cc).
  target_compile_options(alluxio_build_flags INTERFACE -fsanitize-coverage=trace-pc)
endif()
if(ALLUXIO_WERROR)
  target_compile_options(alluxio_build_flags INTERFACE -Werror)
endif()
# GCC 12 with sanitizers reports false maybe-uninitialized warnings in libstdc++ (std::regex,
# std::function) and kj: not an error in sanitizer builds.
# and a false mismatched-new-delete on coroutine frames (asio's awaitable_frame_base allocates
# and frees them itself): not errors in sanitizer builds.
if(NOT ALLUXIO_SANITIZE STREQUAL "")
  target_compile_options(alluxio_build_flags INTERFACE -Wno-maybe-uninitialized
                                                       -Wno-mismatched-new-delete)
endif()
if(ALLUXIO_SANITIZE STREQUAL "address")
  target_compile_options(alluxio_build_flags INTERFACE -fsanitize=address,undefined
                                                       -fno-omit-frame-pointer
                                                       -fno-sanitize-recover=undefined)
  target_link_options(alluxio_build_flags INTERFACE -fsanitize=address,undefined)
elseif(ALLUXIO_SANITIZE STREQUAL "thread")
  target_compile_options(alluxio_build_flags INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(alluxio_build_flags INTERFACE -fsanitize=thread)
elseif(NOT ALLUXIO_SANITIZE STREQUAL "")
  message(FATAL_ERROR "ALLUXIO_SANITIZE must be '', 'address' or 'thread', not '${ALLUXIO_SANITIZE}'")
endif()

# asio on io_uring. These macros must be identical in every translation unit that includes
# asio, so they live here and nowhere else: link alluxio_asio, never include asio without it.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBURING REQUIRED IMPORTED_TARGET liburing)
# The S3 under storage: HTTP (libcurl) and the XML of S3 answers (pugixml).
pkg_check_modules(LIBCURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(PUGIXML REQUIRED IMPORTED_TARGET pugixml)
add_library(alluxio_asio INTERFACE)
target_compile_definitions(alluxio_asio INTERFACE ASIO_STANDALONE ASIO_HAS_IO_URING
                                                  ASIO_DISABLE_EPOLL ASIO_NO_DEPRECATED)
target_link_libraries(alluxio_asio INTERFACE PkgConfig::LIBURING Threads::Threads
                                             alluxio_build_flags)
