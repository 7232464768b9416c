/* Sessions (--session): files that go through one plugin instance one after another, exactly
 * as if they were one recording (a speaker's clips, the parts of an interview). The files of a
 * group are those in one directory, or those whose names give the same first capture group of
 * a regular expression; within a group they keep the sorted file order. Without --session
 * every file is its own group, so the analysis has one code path. */
#ifndef EA_SESSION_H
#define EA_SESSION_H

#include "ea_files.h"

#include <regex.h>
#include <stddef.h>

typedef enum { EA_SESSION_NONE, EA_SESSION_DIR, EA_SESSION_REGEX } ea_session_mode;

typedef struct ea_groups {
  size_t n;       /* groups, in order of their first file */
  size_t *start;  /* n + 1 offsets into member */
  size_t *member; /* file indices, group by group, each group in file order */
} ea_groups;

/* Groups the files of l. re: the compiled --session-regex (mode EA_SESSION_REGEX; it must have
 * a capture group); a file whose name does not match is a group of its own (reported on stderr
 * if `report`). 0, or -1 (out of memory). */
int ea_groups_make(const ea_file_list *l, ea_session_mode mode, const regex_t *re, int report,
                   ea_groups *g);
void ea_groups_free(ea_groups *g);

/* --shard I/N with sessions: keeps the files of the groups whose index is I modulo N (a session
 * is never split between shards), in file order. */
void ea_groups_shard(ea_file_list *l, const ea_groups *g, size_t index, size_t count);

#endif
