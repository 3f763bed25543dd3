# The project's three helpers: schemas, tests, benches.

# Debian's CapnProto CMake targets point at a wrong tool location; find the tools on PATH.
find_program(ALLUXIO_CAPNP capnp REQUIRED)
find_program(ALLUXIO_CAPNPC_CXX capnpc-c++ REQUIRED)

# alluxio_capnp_library(<target> <schema.capnp>...): a static library of generated code.
# Generated headers are included as "schema/<name>.capnp.h".
function(alluxio_capnp_library target)
  set(sources)
  set(out_dir ${CMAKE_BINARY_DIR}/generated/schema)
  file(MAKE_DIRECTORY ${out_dir})
  foreach(schema ${ARGN})
    get_filename_component(abs ${schema} ABSOLUTE)
    get_filename_component(name ${schema} NAME)
    add_custom_command(
      OUTPUT ${out_dir}/${name}.c++ ${out_dir}/${name}.h
      COMMAND ${ALLUXIO_CAPNP} compile -o${ALLUXIO_CAPNPC_CXX}:${out_dir}
              --src-prefix=${CMAKE_SOURCE_DIR}/schema -I${CAPNP_INCLUDE_DIRECTORY} ${abs}
      DEPENDS ${abs}
      COMMENT "Compiling Cap'n Proto schema ${name}")
    list(APPEND sources ${out_dir}/${name}.c++)
  endforeach()
  add_library(${target} STATIC ${sources})
  target_include_directories(${target} PUBLIC ${CMAKE_BINARY_DIR}/generated)
  target_link_libraries(${target} PUBLIC CapnProto::capnp-rpc alluxio_build_flags)
  # GCC 12 reports false maybe-uninitialized warnings inside kj::Maybe (kj/common.h) in code
  # that instantiates kj templates: off for every user of generated code.
  target_compile_options(${target} PUBLIC -Wno-maybe-uninitialized)
endfunction()

# alluxio_test(<name> SOURCES <files> LIBS <targets> [SANITIZE] [TIMEOUT <s>] [LABELS <l>]):
# a GoogleTest binary in build/tests registered with ctest, cases discovered before each run.
# SANITIZE: also run under ASan/UBSan by scripts/test (label "sanitize").
function(alluxio_test name)
  cmake_parse_arguments(T "SANITIZE" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(T_SANITIZE)
    list(APPEND T_LABELS sanitize)
  endif()
  add_executable(${name} ${T_SOURCES})
  if(T_SANITIZE)
    add_dependencies(sanitize_tests ${name})
  endif()
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock
                                        alluxio_build_flags)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  set(properties TIMEOUT ${T_TIMEOUT})
  if(T_LABELS)
    list(APPEND properties LABELS "${T_LABELS}")
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES ${properties})
endfunction()

# alluxio_bench(<name> SOURCES <files> LIBS <targets>): a Google Benchmark binary in build/bench.
function(alluxio_bench name)
  cmake_parse_arguments(B "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${B_SOURCES})
  target_link_libraries(${name} PRIVATE ${B_LIBS} benchmark::benchmark alluxio_build_flags)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endfunction()
