# One helper per kind of target, so folder CMakeLists stay short and every target gets the same flags.
#   lc_library(NAME name SRCS ... DEPS ... [PUBLIC_DEPS ...])  -> target lc_<name>, alias lc::<name>
#   lc_binary(NAME name SRCS ... DEPS ...)                     -> executable <build>/bin/<name>
#   lc_test(NAME name SRCS ... DEPS ... [LABELS ...])          -> GoogleTest executable registered with CTest
#   lc_bench(NAME name SRCS ... DEPS ...)                      -> Google Benchmark executable

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
