# Runs mysqlop-target-check against one plugin in a fresh directory and requires exit status 0
# and a summary line with 0 failed.
#   cmake -DKIT=... -DPLUGIN=... -DSCHEME=dir|file -DWORK_DIR=... [-DEXTRA=...] -P run_kit.cmake
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
separate_arguments(extra UNIX_COMMAND "${EXTRA}")
execute_process(COMMAND ${KIT} ${PLUGIN} --url ${SCHEME}://${WORK_DIR}/backups/ ${extra}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
file(REMOVE_RECURSE ${WORK_DIR})
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mysqlop-target-check exited with ${rc}")
endif()
if(NOT out MATCHES "\nmysqlop-target-check: [0-9]+ passed, 0 failed, [0-9]+ skipped\n$")
  message(FATAL_ERROR "the summary line is missing or counts failures")
endif()
