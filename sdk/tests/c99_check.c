/* Compiled with -std=c99 -pedantic -Wall -Wextra -Werror: the ABI headers need nothing but C99. */
#include "mysqlop/backup_target.h"
#include "mysqlop/plugin.h"

int mysqlop_c99_check(void);
int mysqlop_c99_check(void) {
  mysqlop_plugin_v1 d;
  mysqlop_backup_target_v1 t;
  d.magic = MYSQLOP_PLUGIN_MAGIC;
  t.struct_size = (uint32_t)sizeof t;
  return (int)(d.magic != 0u) + (int)t.struct_size;
}
