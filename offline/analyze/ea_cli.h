/* emovox-analyze's command line: the options come from one table (name, letter, argument,
 * help text, what it sets), from which the getopt tables and --help are made, so an option is
 * written once. */
#ifndef EA_CLI_H
#define EA_CLI_H

#include <regex.h>
#include <stdio.h>

#include "ea_job.h"
#include "ea_session.h"

#define EA_MAX_SETTINGS 64
#define EA_MAX_LISTS    64
#define EA_MAX_JOBS     256

typedef struct ea_cli {
  ea_options opt;
  ea_setting settings[EA_MAX_SETTINGS]; /* --set, opt.host.settings points here */
  const char *lists[EA_MAX_LISTS];      /* --list */
  int n_lists;
  long shard_index, shard_count; /* --shard I/N */
  ea_session_mode session;
  regex_t session_re;  /* compiled when session is EA_SESSION_REGEX (ea_cli_free frees it) */
  char *const *inputs; /* the INPUT operands */
  int n_inputs;
} ea_cli;

/* Parses argv into cli (defaults first). 0: go on; otherwise the exit status, the message
 * printed (-1: --help or --version printed, exit 0; 2: usage error). */
int ea_cli_parse(ea_cli *cli, int argc, char **argv);
void ea_cli_free(ea_cli *cli);
void ea_cli_usage(FILE *f);

/* "emovox-analyze: <fmt with arg>" and the --help hint on stderr; returns 2. */
int ea_cli_usage_error(const char *fmt, const char *arg);

#endif
