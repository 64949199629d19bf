# Package config of the mysqlop plugin SDK. A third-party plugin build uses it with
#   find_package(MysqlopSdk REQUIRED PATHS /path/to/sdk/cmake)   (or CMAKE_PREFIX_PATH=/path/to/sdk)
#   mysqlop_sdk_add_plugin(mybackend SOURCES mybackend.cpp)
# and needs nothing else of mysql-operator.
get_filename_component(_mysqlop_sdk_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
if(NOT TARGET mysqlop::sdk)
  add_library(mysqlop::sdk INTERFACE IMPORTED)
  set_target_properties(mysqlop::sdk PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_mysqlop_sdk_root}/include")
endif()
set(MysqlopSdk_ABI_MAJOR 1)
set(MysqlopSdk_ABI_MINOR 0)
set(_mysqlop_sdk_root "${_mysqlop_sdk_root}" CACHE INTERNAL "")

# mysqlop_sdk_add_plugin(<name> SOURCES ... [LIBS ...]) builds mysqlop_<name>.so, a MODULE library
# with hidden visibility so that only mysqlop_plugin_entry_v1 is exported.
function(mysqlop_sdk_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${name} MODULE ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX "" OUTPUT_NAME mysqlop_${name}
    C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  target_link_libraries(${name} PRIVATE mysqlop::sdk ${ARG_LIBS})
  target_link_options(${name} PRIVATE -Wl,--no-undefined
    "-Wl,--version-script=${_mysqlop_sdk_root}/cmake/mysqlop_plugin.map")
endfunction()
