/* Minimal test helpers: every check prints what it compared, a failing check makes the test
 * exit non-zero. Exit 77 tells meson the test was skipped. */
#ifndef EV_TEST_H
#define EV_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int ev_test_failures = 0;

/* Prints why a check failed (the condition's text and the message). */
#define EV_FAIL_MESSAGE(cond_text, ...)                                                            \
  do {                                                                                             \
    fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, cond_text);                            \
    fprintf(stderr, __VA_ARGS__);                                                                  \
    fprintf(stderr, "\n");                                                                         \
  } while (0)

#define EV_CHECK(cond, ...)                                                                        \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      EV_FAIL_MESSAGE(#cond, __VA_ARGS__);                                                         \
      ev_test_failures++;                                                                          \
    }                                                                                              \
  } while (0)

/* A check the rest of the test cannot go on without: fails and exits at once. `cond` is
 * evaluated once (it may be the call whose result is checked). */
#define EV_REQUIRE(cond, ...)                                                                      \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      EV_FAIL_MESSAGE(#cond, __VA_ARGS__);                                                         \
      exit(1);                                                                                     \
    }                                                                                              \
  } while (0)

#define EV_CHECK_NEAR(a, b, tol, what)                                                             \
  EV_CHECK(fabs((double)(a) - (double)(b)) <= (tol), "%s: %.9g vs %.9g (tol %g)", what,            \
           (double)(a), (double)(b), (double)(tol))

#define EV_SKIP(...)                                                                               \
  do {                                                                                             \
    printf("SKIP: ");                                                                              \
    printf(__VA_ARGS__);                                                                           \
    printf("\n");                                                                                  \
    exit(77);                                                                                      \
  } while (0)

#define EV_TEST_END()                                                                              \
  do {                                                                                             \
    if (ev_test_failures) {                                                                        \
      fprintf(stderr, "%d check(s) failed\n", ev_test_failures);                                   \
      return 1;                                                                                    \
    }                                                                                              \
    printf("ok\n");                                                                                \
    return 0;                                                                                      \
  } while (0)

#endif
