/* The host build has no machine self-tests: unit tests cover it. */
#include "kern/selftest.h"

const struct selftest machine_selftests[1];
const unsigned machine_nselftests = 0;
