/* Shared by the offline tools (emovox-features, -model, -train, -analyze): what they need alike
 * at the end of main(). */
#ifndef EV_STDOUT_H
#define EV_STDOUT_H

/* The exit status rc, or 1 if rc is 0 but standard output (help, the version, the results a
 * tool prints there) could not be written, with the reason on standard error as "TOOL: cannot
 * write to standard output: REASON": exit() flushes it without a word, so output lost on a full
 * disk (> /dev/full) would exit 0. A non-zero rc is returned as it is (its reason is out). */
int ev_stdout_status(const char *tool, int rc);

#endif
