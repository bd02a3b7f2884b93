# One helper per kind of target, so folder CMakeLists stay short and every target gets the same flags.
#   lc_library(NAME name SRCS ... DEPS ... [PUBLIC_DEPS ...])  -> target lc_<name>, alias lc::<name>
#   lc_binary(NAME name SRCS ... DEPS ...)                     -> executable <build>/bin/<name>
#   lc_test(NAME name SRCS ... DEPS ... [LABELS ...])          -> GoogleTest executable registered with CTest
#   lc_bench(NAME name SRCS ... DEPS ...)                      -> Google Benchmark executable
#   lc_pkg_config(PREFIX module [GLOBAL])                      -> PkgConfig::<PREFIX>, the same on every configure

# -Wno-restrict: GCC 12 at -O3 reports false overlaps in std::string concatenation (GCC bug 105329,
# fixed in GCC 13); with -Werror it would fail correct code such as `"q" + std::to_string(i)`.
set(LC_WARNINGS -Wall -Wextra -Werror -Wno-unused-parameter -Wno-restrict)

function(lc_library)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS;PUBLIC_DEPS" ${ARGN})
  add_library(lc_${A_NAME} STATIC ${A_SRCS})
  add_library(lc::${A_NAME} ALIAS lc_${A_NAME})
  target_include_directories(lc_${A_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(lc_${A_NAME} PRIVATE ${LC_WARNINGS})
  target_link_libraries(lc_${A_NAME} PUBLIC ${A_PUBLIC_DEPS} PRIVATE ${A_DEPS})
endfunction()

function(lc_binary)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  target_compile_options(${A_NAME} PRIVATE ${LC_WARNINGS})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS})
endfunction()

function(lc_test)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  target_compile_options(${A_NAME} PRIVATE ${LC_WARNINGS})
  target_include_directories(${A_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${A_NAME} PROPERTIES LABELS "${A_LABELS}" DISCOVERY_TIMEOUT 30)
endfunction()

function(lc_bench)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS" ${ARGN})
  find_package(benchmark REQUIRED)
  add_executable(${A_NAME} ${A_SRCS})
  target_compile_options(${A_NAME} PRIVATE ${LC_WARNINGS})
  target_include_directories(${A_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} benchmark::benchmark)
endfunction()

include(GoogleTest)

# pkg_check_modules(... IMPORTED_TARGET), with the target's flags pinned to one form. CMake 3.25's
# FindPkgConfig files an "-isystem DIR" from a module's Cflags (libzmq's, through krb5-gssapi:
# /usr/include/mit-krb5) under the target's include directories on the first configure and under
# its compile options on every later one. The compile commands then differ, so the second
# configure (scripts/up after scripts/test on a fresh machine) rebuilt nearly every target. Here
# such a directory is always an include directory (an imported target's are system includes).
function(lc_pkg_config PREFIX MODULE)
  cmake_parse_arguments(A "GLOBAL" "" "" ${ARGN})
  if(A_GLOBAL)
    pkg_check_modules(${PREFIX} REQUIRED IMPORTED_TARGET GLOBAL ${MODULE})
  else()
    pkg_check_modules(${PREFIX} REQUIRED IMPORTED_TARGET ${MODULE})
  endif()
  set(target PkgConfig::${PREFIX})
  get_target_property(options ${target} INTERFACE_COMPILE_OPTIONS)
  get_target_property(includes ${target} INTERFACE_INCLUDE_DIRECTORIES)
  if(NOT options)
    set(options)
  endif()
  if(NOT includes)
    set(includes)
  endif()
  set(kept)
  set(next_is_dir FALSE)
  foreach(option IN LISTS options)
    if(next_is_dir)
      list(APPEND includes ${option})
      set(next_is_dir FALSE)
    elseif(option STREQUAL "-isystem")
      set(next_is_dir TRUE)
    else()
      list(APPEND kept ${option})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES includes)
  set_target_properties(${target} PROPERTIES INTERFACE_COMPILE_OPTIONS "${kept}"
                                             INTERFACE_INCLUDE_DIRECTORIES "${includes}")
endfunction()
