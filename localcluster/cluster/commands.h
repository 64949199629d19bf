#pragma once
// The `up`, `down`, `status` and `fault` commands of mysql-operator-local (argv after the command
// name).

namespace mysqlop::local::cluster {

int upCommand(int argc, char** argv);
int downCommand(int argc, char** argv);
int statusCommand(int argc, char** argv);
int faultCommand(int argc, char** argv);  // fault_command.cpp

}  // namespace mysqlop::local::cluster
