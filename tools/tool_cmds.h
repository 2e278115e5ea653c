/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool's subcommands, one file each (tools/cmd_*.c).  Each takes
 * the common options already given and its own argv (argv[0] its name),
 * and returns an exit code of enum tt_exit. */
#ifndef TUMAR_TOOLS_TOOL_CMDS_H
#define TUMAR_TOOLS_TOOL_CMDS_H

#include "tools/tool.h"

int tt_cmd_list(struct tt_opts *o, int argc, char **argv);
int tt_cmd_change_pin(struct tt_opts *o, int argc, char **argv);
int tt_cmd_unblock(struct tt_opts *o, int argc, char **argv);
int tt_cmd_keygen(struct tt_opts *o, int argc, char **argv);
int tt_cmd_csr(struct tt_opts *o, int argc, char **argv);
int tt_cmd_install_cert(struct tt_opts *o, int argc, char **argv);
int tt_cmd_import(struct tt_opts *o, int argc, char **argv);
int tt_cmd_expiry(struct tt_opts *o, int argc, char **argv);
int tt_cmd_reissue(struct tt_opts *o, int argc, char **argv);
int tt_cmd_sign(struct tt_opts *o, int argc, char **argv);
int tt_cmd_keys(struct tt_opts *o, int argc, char **argv);
int tt_cmd_delete(struct tt_opts *o, int argc, char **argv);
int tt_cmd_info(struct tt_opts *o, int argc, char **argv);

#endif
