# Builds sdk/examples the way a third party would: from a copy of sdk/ alone, in an empty
# directory, so that nothing of core/ (or of this build) can be reached.
#   cmake -DSOURCE_DIR=... -DWORK_DIR=... -P consumer_build.cmake
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
file(COPY ${SOURCE_DIR}/sdk DESTINATION ${WORK_DIR}/src)
execute_process(COMMAND ${CMAKE_COMMAND} -S ${WORK_DIR}/src/sdk/examples -B ${WORK_DIR}/build
                        -G Ninja -DCMAKE_BUILD_TYPE=Release
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the SDK consumer build failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the SDK examples from sdk/ alone failed")
endif()
foreach(so mysqlop_example_reconciler.so mysqlop_example_dir_target.so)
  if(NOT EXISTS ${WORK_DIR}/build/${so})
    message(FATAL_ERROR "${so} was not built")
  endif()
endforeach()
