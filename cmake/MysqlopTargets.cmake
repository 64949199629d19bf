# Helpers that give every first-party target the same settings (style rule 17).

# Warnings and sanitizers live on one INTERFACE target that every first-party target links.
add_library(mysqlop_cxx_settings INTERFACE)
target_compile_options(mysqlop_cxx_settings INTERFACE
  -Wall -Wextra -Wconversion -Wshadow -Wnon-virtual-dtor -Werror
  $<$<COMPILE_LANGUAGE:CXX>:-Wno-error=deprecated-declarations>)
# Measured on a test TU that uses gtest, nlohmann/json and Poco: -O2 -g 25 s, -O2 -g1 21 s. -g1
# keeps function names and line tables (backtraces, perf, sanitizer reports) and drops what only an
# interactive debugger of locals needs; MYSQLOP_FULL_DEBUG_INFO=ON restores -g.
option(MYSQLOP_FULL_DEBUG_INFO "Full -g debug info in RelWithDebInfo builds" OFF)
if(NOT MYSQLOP_FULL_DEBUG_INFO)
  target_compile_options(mysqlop_cxx_settings INTERFACE $<$<CONFIG:RelWithDebInfo>:-g1>)
endif()
if(MYSQLOP_SANITIZE)
  target_compile_options(mysqlop_cxx_settings INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
    # The same TU instrumented takes 96 s at -O2 -g and 26 s at -Og -g1: CI builds everything twice
    # on 2 cores within its time limit. Reports keep function names and lines.
    -Og -g1
    # GCC 12 reports false maybe-uninitialized warnings inside libstdc++ (std::regex, std::function)
    # when instrumented; the normal build keeps the warning.
    -Wno-maybe-uninitialized)
  target_link_options(mysqlop_cxx_settings INTERFACE -fsanitize=address,undefined)
endif()

# Third-party headers are included as system headers so that their warnings do not fail our build.
function(mysqlop_system_includes target)
  foreach(dep IN LISTS ARGN)
    get_target_property(dirs ${dep} INTERFACE_INCLUDE_DIRECTORIES)
    if(dirs)
      target_include_directories(${target} SYSTEM PRIVATE ${dirs})
    endif()
  endforeach()
endfunction()

# Test code is compiled without optimisation: half of a test TU's compile time at -O2 is the
# optimiser working on gtest and nlohmann/json instantiations, and nothing in a test's own code is
# hot (the code under test is in libraries built with the normal flags). Measured on
# operator_kube_test.cpp: -O2 10.9 s, -O0 7.3 s; in a unity batch of 9 files 17.8 s vs 7.9 s.
function(mysqlop_test_code_options target)
  if(NOT MYSQLOP_SANITIZE)
    target_compile_options(${target} PRIVATE $<$<CONFIG:RelWithDebInfo,Release>:-O0>)
  endif()
endfunction()

# mysqlop_add_library(<name> SOURCES ... [PUBLIC_LIBS ...] [PRIVATE_LIBS ...])
# A static library of the core named after its path (core/kube -> mysqlop_core_kube), with an
# alias mysqlop::core_kube. Position-independent so that tests can link it into fixtures.
function(mysqlop_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  add_library(mysqlop_${name} STATIC ${ARG_SOURCES})
  add_library(mysqlop::${name} ALIAS mysqlop_${name})
  set_target_properties(mysqlop_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_include_directories(mysqlop_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(mysqlop_${name} PUBLIC ${ARG_PUBLIC_LIBS} PRIVATE mysqlop_cxx_settings ${ARG_PRIVATE_LIBS})
endfunction()

# mysqlop_add_plugin(<name> SOURCES ... [LIBS ...] [OUTPUT_DIR dir])
# A plugin is a MODULE library named mysqlop_<name>.so whose only exported symbol is the ABI entry
# function; everything else is hidden so that plugins cannot clash with each other or the host.
function(mysqlop_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIR" "SOURCES;LIBS" ${ARGN})
  set(target mysqlop_plugin_${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR ${MYSQLOP_PLUGIN_OUTPUT_DIR})
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX "" OUTPUT_NAME mysqlop_${name}
    LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIR}
    C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  target_link_libraries(${target} PRIVATE mysqlop::sdk mysqlop_cxx_settings ${ARG_LIBS})
  target_link_options(${target} PRIVATE -Wl,--no-undefined -Wl,--exclude-libs,ALL
    "-Wl,--version-script=${PROJECT_SOURCE_DIR}/sdk/cmake/mysqlop_plugin.map")
  # Linker check: the entry function is the only symbol the plugin exports.
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -DPLUGIN=$<TARGET_FILE:${target}> -P ${PROJECT_SOURCE_DIR}/cmake/CheckPluginExports.cmake
    VERBATIM)
endfunction()

# mysqlop_add_test(<name> SOURCES ... [LIBS ...] [LABELS ...] [PROPERTIES ...])
function(mysqlop_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS;PROPERTIES" ${ARGN})
  set(target test_${name})
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE GTest::gtest GTest::gmock GTest::gtest_main mysqlop_cxx_settings ${ARG_LIBS})
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  mysqlop_test_code_options(${target})
  target_compile_definitions(${target} PRIVATE
    MYSQLOP_SOURCE_DIR="${PROJECT_SOURCE_DIR}" MYSQLOP_BINARY_DIR="${PROJECT_BINARY_DIR}")
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 TEST_PREFIX "${name}/"
    PROPERTIES LABELS "${ARG_LABELS}" ${ARG_PROPERTIES})
endfunction()

# mysqlop_add_bench(<name> SOURCES ... [LIBS ...]): a Google Benchmark program under build/bench/.
function(mysqlop_add_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(bench_${name} ${ARG_SOURCES})
  target_link_libraries(bench_${name} PRIVATE benchmark::benchmark mysqlop_cxx_settings ${ARG_LIBS})
  set_target_properties(bench_${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bench)
  target_compile_definitions(bench_${name} PRIVATE
    MYSQLOP_SOURCE_DIR="${PROJECT_SOURCE_DIR}" MYSQLOP_BINARY_DIR="${PROJECT_BINARY_DIR}")
endfunction()
