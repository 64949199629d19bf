#pragma once
// The `up`, `down` and `status` commands of mysql-operator-local (argv after the command name).

namespace mysqlop::local::cluster {

int upCommand(int argc, char** argv);
int downCommand(int argc, char** argv);
int statusCommand(int argc, char** argv);

}  // namespace mysqlop::local::cluster
