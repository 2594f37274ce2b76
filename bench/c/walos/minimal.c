/* The smallest program: an entry point that returns (exit status 0). */
void _start(void) {}
